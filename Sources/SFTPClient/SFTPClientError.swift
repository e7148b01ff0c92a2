import SFTPProtocol

/// Why an SFTP client operation failed.
public enum SFTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The server answered with an error status. `path` is the remote path the request named, when it named one.
    case status(code: SFTPStatusCode, message: String, path: String?)
    /// The connection (or the channel) is gone; nothing more can be done on this client.
    case connectionLost(String)
    /// The server broke the protocol (an answer to no request, an impossible reply…).
    case protocolError(String)
    /// The server does not offer an extension this operation needs.
    case unsupported(String)
    /// A local file operation failed.
    case localFile(path: String, operation: String, errno: Int32)

    /// The status code when the server refused, else nil.
    public var statusCode: SFTPStatusCode? {
        if case .status(let code, _, _) = self { return code }
        return nil
    }

    public var description: String {
        switch self {
        case .status(let code, let message, let path):
            let text = message.isEmpty ? code.defaultMessage : message
            guard let path else { return text }
            return "\(path): \(text)"
        case .connectionLost(let why): return "connection lost: \(why)"
        case .protocolError(let why): return "protocol error: \(why)"
        case .unsupported(let what): return "the server does not support \(what)"
        case .localFile(let path, let operation, let errno):
            return "\(path): cannot \(operation): \(Self.errnoText(errno))"
        }
    }

    static func errnoText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

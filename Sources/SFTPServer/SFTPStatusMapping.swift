import SFTPProtocol
import VFS

/// The one place a failure becomes an `SSH_FXP_STATUS`.
///
/// Codes follow OpenSSH's `sftp-server` (which maps `errno` the same way), because OpenSSH's clients print
/// their own text for each code: a missing entry or a file where a directory was expected is
/// `SSH_FX_NO_SUCH_FILE`, a refused operation `SSH_FX_PERMISSION_DENIED`, a malformed path
/// `SSH_FX_BAD_MESSAGE`, something the storage cannot do `SSH_FX_OP_UNSUPPORTED`, and everything else
/// `SSH_FX_FAILURE`. The message is the VFS's own, which names the user path and never a host path; clients
/// such as WinSCP, FileZilla and Paramiko show it.
enum SFTPStatusMapping {
    /// The status code and message for a VFS error.
    static func status(for error: VFSError) -> (code: SFTPStatusCode, message: String) {
        let code: SFTPStatusCode
        switch error.code {
        case .noSuchFile, .notADirectory: code = .noSuchFile
        case .permissionDenied: code = .permissionDenied
        case .invalidArgument: code = .badMessage
        case .unsupported: code = .operationUnsupported
        default: code = .failure
        }
        return (code, Self.message(for: error))
    }

    /// The status for any error a handler throws: VFS errors by their code, a malformed request as
    /// `SSH_FX_BAD_MESSAGE`, and anything else as `SSH_FX_FAILURE` with a message that reveals nothing internal.
    static func status(for error: any Error) -> (code: SFTPStatusCode, message: String) {
        switch error {
        case let error as VFSError:
            return Self.status(for: error)
        case let error as SFTPError:
            return (.badMessage, error.message)
        case let error as SFTPRequestError:
            return (error.code, error.message)
        default:
            return (.failure, "Failure")
        }
    }

    /// A message for the client: the VFS's text with its first letter capitalised, like OpenSSH's messages.
    static func message(for error: VFSError) -> String {
        let text = error.message
        guard let first = text.first else { return error.code.description }
        return first.uppercased() + text.dropFirst()
    }
}

/// A failure decided by the SFTP layer itself (an unknown handle, an extension not offered…).
struct SFTPRequestError: Error, Sendable {
    var code: SFTPStatusCode
    var message: String

    init(_ code: SFTPStatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    static func invalidHandle() -> SFTPRequestError {
        SFTPRequestError(.failure, "Invalid handle")
    }

    static func unsupported(_ what: String) -> SFTPRequestError {
        SFTPRequestError(.operationUnsupported, "\(what) is not supported")
    }
}

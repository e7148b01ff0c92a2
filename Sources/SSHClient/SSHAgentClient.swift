import NIOCore
import NIOPosix
import SSHConnection
import SSHKeys
import SSHProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why talking to an ssh-agent failed.
public enum SSHAgentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `SSH_AUTH_SOCK` is not set.
    case noAgent
    /// The agent's socket could not be connected to (missing, refused, not a socket…).
    case cannotConnect(path: String, reason: String)
    /// The agent answered SSH_AGENT_FAILURE: it does not hold the key, or refused to use it.
    case refused(String)
    /// The agent's answer made no sense, or it closed the connection without one.
    case malformedReply(String)

    public var description: String {
        switch self {
        case .noAgent:
            return "no ssh-agent: SSH_AUTH_SOCK is not set"
        case .cannotConnect(let path, let reason):
            return "cannot connect to the ssh-agent at \(path): \(reason)"
        case .refused(let what):
            return "the ssh-agent refused \(what)"
        case .malformedReply(let what):
            return "malformed reply from the ssh-agent: \(what)"
        }
    }
}

/// A client for an OpenSSH-compatible key agent (draft-miller-ssh-agent), reached over the Unix socket
/// `SSH_AUTH_SOCK` names.
///
/// Each call opens its own connection to the agent, sends one request and reads one reply, which is what
/// OpenSSH's own tools effectively do. Only listing keys and signing are supported.
public struct SSHAgentClient: Sendable {
    /// The agent's socket.
    public var socketPath: String
    /// Where the socket's I/O runs.
    public var group: any EventLoopGroup
    /// How long one request may take, from connecting to the reply (an agent may ask its user to confirm).
    public var timeout: TimeAmount = .seconds(60)

    /// Creates a client for the agent listening on `socketPath`; nothing is connected yet.
    public init(socketPath: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.socketPath = socketPath
        self.group = group
    }

    /// The agent `SSH_AUTH_SOCK` names, or nil when it is unset or empty.
    public init?(environment: [String: String], group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        guard let path = environment["SSH_AUTH_SOCK"], !path.isEmpty else { return nil }
        self.init(socketPath: path, group: group)
    }

    /// Message numbers (draft-miller-ssh-agent §5.1).
    enum Message {
        static let failure: UInt8 = 5
        static let requestIdentities: UInt8 = 11
        static let identitiesAnswer: UInt8 = 12
        static let signRequest: UInt8 = 13
        static let signResponse: UInt8 = 14
    }

    /// SSH_AGENT_RSA_SHA2_256 and SSH_AGENT_RSA_SHA2_512 (draft-miller-ssh-agent §5.3).
    static func signFlags(algorithm: String) -> UInt32 {
        switch algorithm {
        case "rsa-sha2-256": return 2
        case "rsa-sha2-512": return 4
        default: return 0
        }
    }

    /// The keys the agent holds, in its order. Keys of types Ferry cannot use (certificates, security-key
    /// keys, DSA…) are left out.
    ///
    /// - Throws: ``SSHAgentError``.
    public func identities() async throws -> [SSHAgentIdentity] {
        var request = ByteBuffer()
        request.writeInteger(Message.requestIdentities)
        var reply = try await self.exchange(request)
        switch reply.readInteger(as: UInt8.self) {
        case Message.identitiesAnswer: break
        case Message.failure: throw SSHAgentError.refused("to list its keys")
        case let other: throw SSHAgentError.malformedReply("message \(other.map(String.init) ?? "none") to a key list")
        }
        guard let count = reply.readInteger(as: UInt32.self) else {
            throw SSHAgentError.malformedReply("truncated key list")
        }
        var identities: [SSHAgentIdentity] = []
        for _ in 0..<count {
            guard let blob = reply.readSSHString(), let comment = reply.readSSHStringBytes() else {
                throw SSHAgentError.malformedReply("truncated key list")
            }
            guard let key = try? SSHPublicKey(wireBlob: blob) else { continue }
            identities.append(
                SSHAgentIdentity(publicKey: key, comment: String(decoding: comment, as: UTF8.self), agent: self)
            )
        }
        return identities
    }

    /// Asks the agent to sign `data` with the private half of `key`.
    ///
    /// - Parameter algorithm: the signature algorithm; for RSA keys "rsa-sha2-256" or "rsa-sha2-512"
    ///   (sent as the request's flags).
    /// - Throws: ``SSHAgentError`` (`.refused` when the agent does not hold the key or will not use it).
    public func sign(_ data: [UInt8], with key: SSHPublicKey, algorithm: String) async throws -> SSHSignature {
        var request = ByteBuffer()
        request.writeInteger(Message.signRequest)
        request.writeSSHString(key.wireBlob)
        request.writeSSHString(data)
        request.writeInteger(Self.signFlags(algorithm: algorithm))
        var reply = try await self.exchange(request)
        switch reply.readInteger(as: UInt8.self) {
        case Message.signResponse: break
        case Message.failure: throw SSHAgentError.refused("to sign with \(key.type.rawValue) \(key.fingerprint)")
        case let other:
            throw SSHAgentError.malformedReply("message \(other.map(String.init) ?? "none") to a signing request")
        }
        guard let blob = reply.readSSHString(), let signature = try? SSHSignature(wireBlob: blob) else {
            throw SSHAgentError.malformedReply("unreadable signature")
        }
        guard signature.algorithm == algorithm else {
            throw SSHAgentError.malformedReply("asked for a \(algorithm) signature, got \(signature.algorithm)")
        }
        return signature
    }

    /// Sends one request (without its length) and returns the reply (without its length).
    private func exchange(_ request: ByteBuffer) async throws -> ByteBuffer {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: self.group)
                .connectTimeout(self.timeout)
                .connect(unixDomainSocketPath: self.socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SSHAgentFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SSHAgentError.cannotConnect(path: self.socketPath, reason: Self.reason(error))
        }
        let timeout = channel.channel.eventLoop.scheduleTask(in: self.timeout) { [channel = channel.channel] in
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            var framed = ByteBuffer()
            framed.writeInteger(UInt32(request.readableBytes))
            framed.writeImmutableBuffer(request)
            try await outbound.write(framed)
            for try await reply in inbound { return reply }
            throw SSHAgentError.malformedReply("the agent closed the connection without answering")
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        return "\(error)"
    }
}

/// Splits the agent's byte stream into messages: `uint32 length`, then that many bytes.
struct SSHAgentFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// OpenSSH's agent refuses messages longer than this, and so do we.
    static let maximumLength = 256 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length <= Self.maximumLength else {
            throw SSHAgentError.malformedReply("a message of \(length) bytes")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let message = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        while try self.decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

/// One key an ssh-agent holds. Usable directly as an authentication method:
/// `.signer(identity)`.
public struct SSHAgentIdentity: SSHUserAuthenticationSigner, Sendable {
    /// The key.
    public var publicKey: SSHPublicKey
    /// What the agent calls it (usually the key file's comment).
    public var comment: String
    /// The agent that holds the private half.
    public var agent: SSHAgentClient

    /// Creates an identity held by `agent`.
    public init(publicKey: SSHPublicKey, comment: String, agent: SSHAgentClient) {
        self.publicKey = publicKey
        self.comment = comment
        self.agent = agent
    }

    /// Asks the agent to sign, over a connection of its own.
    public func sign(_ data: [UInt8], algorithm: String) async throws -> SSHSignature {
        try await self.agent.sign(data, with: self.publicKey, algorithm: algorithm)
    }
}

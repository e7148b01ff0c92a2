import NIOCore
import SSHKeys
import SSHProtocol

/// What a server is asked to decide about a login attempt.
///
/// Carries a password in clear: never log it, compare it in constant time.
public enum SSHAuthenticationRequest: Sendable {
    /// A password, from the "password" method or typed into a keyboard-interactive prompt.
    case password(username: String, password: String, viaKeyboardInteractive: Bool)
    /// A public key. With `isQuery` the client only asks whether the key would be accepted; otherwise its
    /// signature has already been verified by the engine.
    case publicKey(username: String, key: SSHPublicKey, isQuery: Bool)

    /// The user name the request is for.
    public var username: String {
        switch self {
        case .password(let username, _, _): return username
        case .publicKey(let username, _, _): return username
        }
    }

    /// The method name as the protocol spells it.
    public var methodName: String {
        switch self {
        case .password(_, _, let viaKeyboardInteractive):
            return viaKeyboardInteractive ? "keyboard-interactive" : "password"
        case .publicKey: return "publickey"
        }
    }
}

/// A server's answer to an ``SSHAuthenticationRequest``.
public enum SSHAuthenticationResult: Sendable, Equatable {
    case success
    /// This step passed, more are needed (RFC 4252 §5.1 partial success).
    case partialSuccess(remainingMethods: [String])
    case failure
}

/// Signs for "publickey" user authentication without handing over its private key: an ssh-agent identity,
/// a hardware token, a key kept in another process.
public protocol SSHUserAuthenticationSigner: Sendable {
    /// The public key the server is asked to accept.
    var publicKey: SSHPublicKey { get }
    /// Signs `data` (the RFC 4252 §7 blob: session identifier and the request).
    ///
    /// `algorithm` is the SSH signature algorithm name (ssh-ed25519, ecdsa-sha2-nistp256, rsa-sha2-512,
    /// rsa-sha2-256…); the signature returned must use exactly that algorithm.
    func sign(_ data: [UInt8], algorithm: String) async throws -> SSHSignature
}

/// Client role: a signature the engine needs from an ``SSHUserAuthenticationSigner`` before it can send a
/// "publickey" request. Answer with ``SSHConnectionEngine/completeSigning(requestID:signature:)``.
public struct SSHUserAuthenticationSigningRequest: Sendable {
    /// Identifies this request; completions naming another one are ignored.
    public let id: UInt64
    /// Who signs.
    public let signer: any SSHUserAuthenticationSigner
    /// The signature algorithm to use.
    public let algorithm: String
    /// The bytes to sign.
    public let data: [UInt8]

    /// Creates a request (the engine makes these; tests may too).
    public init(id: UInt64, signer: any SSHUserAuthenticationSigner, algorithm: String, data: [UInt8]) {
        self.id = id
        self.signer = signer
        self.algorithm = algorithm
        self.data = data
    }
}

/// A client's way of proving who it is, tried in order.
public enum SSHClientAuthenticationMethod: Sendable {
    /// A private key held in memory; the engine signs itself.
    case publicKey(SSHPrivateKey)
    /// A key signed for elsewhere (ssh-agent…), asynchronously through the delegate's
    /// ``SSHConnectionEngineDelegate/engine(_:sign:)``. A signing failure moves on to the next method.
    case signer(any SSHUserAuthenticationSigner)
    /// Used for the "password" method and, when the server offers only that, for keyboard-interactive prompts.
    case password(String)
}

/// Receives everything an ``SSHConnectionEngine`` reports. All calls happen synchronously inside the
/// engine's own methods, on the caller's thread; the delegate may call back into the engine.
public protocol SSHConnectionEngineDelegate: AnyObject {
    /// Client role: the server's host key, signature already verified. Answer with
    /// ``SSHConnectionEngine/completeHostKeyVerification(accepted:)`` (now or later).
    func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey)
    /// Client role: a signature is needed from an ``SSHUserAuthenticationSigner``. Answer with
    /// ``SSHConnectionEngine/completeSigning(requestID:signature:)`` (now or later); no packet is decoded
    /// meanwhile. The default implementation refuses, so the engine moves on to the next method.
    func engine(_ engine: SSHConnectionEngine, sign request: SSHUserAuthenticationSigningRequest)
    /// Server role: decide a login attempt. Answer with ``SSHConnectionEngine/completeAuthentication(_:)``.
    func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest)
    /// Both roles: the user is authenticated; channels may now be opened.
    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String)
    /// Client role: the server sent a banner.
    func engine(_ engine: SSHConnectionEngine, receivedBanner message: String)
    /// Server role: the peer wants to open a channel. Return true to accept.
    func engine(_ engine: SSHConnectionEngine, shouldAcceptChannel channel: UInt32, type: String) -> Bool
    /// Client role: a channel we asked for is open.
    func engine(_ engine: SSHConnectionEngine, channelOpened channel: UInt32)
    /// Client role: a channel we asked for was refused.
    func engine(_ engine: SSHConnectionEngine, channelOpenFailed channel: UInt32, reason: UInt32, description: String)
    /// A channel request from the peer. Return whether it succeeded (sent back if the peer wants a reply).
    func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        request: SSHMessage.ChannelRequest.RequestType,
        wantReply: Bool
    ) -> Bool
    /// The reply to one of our channel requests that wanted one, in order.
    func engine(_ engine: SSHConnectionEngine, channel: UInt32, requestSucceeded: Bool)
    /// Data arrived. `extendedType` is nil for normal data, 1 for stderr.
    func engine(_ engine: SSHConnectionEngine, channel: UInt32, received data: ByteBuffer, extendedType: UInt32?)
    /// The peer will send no more data on this channel.
    func engine(_ engine: SSHConnectionEngine, channelReceivedEOF channel: UInt32)
    /// The channel is closed in both directions and its number may be reused.
    func engine(_ engine: SSHConnectionEngine, channelClosed channel: UInt32)
    /// Queued outbound data crossed the channel's high or low water mark.
    func engine(_ engine: SSHConnectionEngine, channel: UInt32, writabilityChanged writable: Bool)
    /// The peer sent SSH_MSG_DISCONNECT.
    func engine(_ engine: SSHConnectionEngine, peerDisconnected reason: UInt32, description: String)
}

extension SSHConnectionEngineDelegate {
    public func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey) {
        try? engine.completeHostKeyVerification(accepted: false)
    }
    public func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest) {
        try? engine.completeAuthentication(.failure)
    }
    public func engine(_ engine: SSHConnectionEngine, sign request: SSHUserAuthenticationSigningRequest) {
        try? engine.completeSigning(requestID: request.id, signature: nil)
    }
    public func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) {}
    public func engine(_ engine: SSHConnectionEngine, receivedBanner message: String) {}
    public func engine(_ engine: SSHConnectionEngine, shouldAcceptChannel channel: UInt32, type: String) -> Bool {
        false
    }
    public func engine(_ engine: SSHConnectionEngine, channelOpened channel: UInt32) {}
    public func engine(
        _ engine: SSHConnectionEngine,
        channelOpenFailed channel: UInt32,
        reason: UInt32,
        description: String
    ) {}
    public func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        request: SSHMessage.ChannelRequest.RequestType,
        wantReply: Bool
    ) -> Bool { false }
    public func engine(_ engine: SSHConnectionEngine, channel: UInt32, requestSucceeded: Bool) {}
    public func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        received data: ByteBuffer,
        extendedType: UInt32?
    ) {}
    public func engine(_ engine: SSHConnectionEngine, channelReceivedEOF channel: UInt32) {}
    public func engine(_ engine: SSHConnectionEngine, channelClosed channel: UInt32) {}
    public func engine(_ engine: SSHConnectionEngine, channel: UInt32, writabilityChanged writable: Bool) {}
    public func engine(_ engine: SSHConnectionEngine, peerDisconnected reason: UInt32, description: String) {}
}

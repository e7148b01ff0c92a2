import NIOCore
import SSHKeys
import SSHProtocol
import SSHTransport

/// A sans-I/O SSH connection: bytes in, bytes out, events to a delegate.
///
/// The engine runs the whole protocol for one TCP connection in either role: the transport (RFC 4253:
/// version exchange, key exchange and re-exchange, packet protection, strict kex, RFC 8308 ext-info),
/// user authentication (RFC 4252, RFC 4256) and the connection protocol (RFC 4254: channels, flow
/// control, requests). It performs no I/O and owns no timers, so a test can drive two engines against
/// each other byte by byte. It is not thread-safe: one owner calls it from one thread (the NIO event loop).
///
/// Outbound channel data is queued per channel and only packetised when the transport may carry it: it
/// is never dropped or failed because a key exchange is running.
public final class SSHConnectionEngine {
    /// The configuration this engine was made with.
    public let configuration: SSHConnectionConfiguration
    /// Receives the engine's events.
    public weak var delegate: (any SSHConnectionEngineDelegate)?

    /// Bytes to send to the peer, waiting for ``takeOutput()``.
    var output: ByteBuffer
    /// Received bytes not yet decoded.
    var input: ByteBuffer
    /// The engine's own buffer for a packet split between two reads, reused while data streams in.
    var carry = ByteBuffer()
    /// Whether `input` is the engine's own buffer (rather than the transport's, parsed in place).
    var inputIsCarry = false
    /// How many bytes of a new read are added at a time to complete a split packet.
    static let carryPiece = 64 * 1024
    var now: () -> NIODeadline

    // Version exchange (RFC 4253 §4.2).
    let localVersion: String
    var peerVersion: String?
    var preVersionLines = 0

    // Packet layer.
    var sealer: any SSHOutboundProtection
    var opener: any SSHInboundProtection
    var sendSequence: UInt32 = 0
    var receiveSequence: UInt32 = 0
    /// Payload bytes sent under the current outbound keys.
    var bytesSentWithKeys: UInt64 = 0
    /// Payload bytes received under the current inbound keys.
    var bytesReceivedWithKeys: UInt64 = 0
    var lastKeyExchange: NIODeadline

    // Key exchange.
    var keyExchange: KeyExchangeState = .idle
    var sessionID: [UInt8]?
    var strictKeyExchange = false
    var peerSupportsExtInfo = false
    var completedKeyExchanges = 0
    var packetsReceived = 0
    /// Connection-layer messages held back while our KEXINIT is out and our NEWKEYS is not.
    var heldMessages: [SSHMessage] = []
    /// Reused for channel data headers.
    var headerScratch = ByteBuffer()
    /// Client role: the host key accepted in the first exchange; re-exchanges must present it again.
    var acceptedHostKey: SSHPublicKey?
    /// Server role: the signature algorithms the client may use (from our ext-info) — client role: the
    /// ones the server announced in `server-sig-algs`.
    var peerSignatureAlgorithms: [String]?
    /// Client role: overrides the RSA signature algorithm choice (to behave like an old client in tests).
    var forcedUserSignatureAlgorithm: String?

    // Authentication.
    var serverAuth = ServerAuthState()
    var clientAuth = ClientAuthState()
    /// The user name once authenticated.
    public internal(set) var authenticatedUsername: String?

    // Connection protocol.
    var channels: [UInt32: ChannelState] = [:]
    var nextChannelID: UInt32 = 0
    var drainCursor: UInt32 = 0

    /// Set while an asynchronous decision (host key, login) is outstanding; no packet is decoded meanwhile.
    var isAwaitingDecision = false
    var isProcessingInput = false
    /// Whether the socket accepts more bytes; while false, queued channel data stays queued.
    public var isTransportWritable = true
    /// Set once the connection is finished (disconnect sent or received, or a fatal error).
    public internal(set) var isClosed = false

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - configuration: role, algorithms, limits and (server) host keys.
    ///   - clientAuthentication: client role: the user name and the methods to try, in order.
    ///   - now: the clock used for time-based re-keying.
    /// - Throws: ``SSHError`` when the configuration names unsupported algorithms or a server has no host key.
    public init(
        configuration: SSHConnectionConfiguration,
        clientUsername: String = "",
        clientAuthentication: [SSHClientAuthenticationMethod] = [],
        now: @escaping () -> NIODeadline = { .now() }
    ) throws {
        try configuration.algorithms.validate()
        if configuration.role == .server && configuration.hostKeys.isEmpty {
            throw SSHError(.invalidKey, "a server needs at least one host key")
        }
        self.configuration = configuration
        self.localVersion = "SSH-2.0-\(configuration.softwareVersion)"
        self.output = ByteBuffer()
        self.input = ByteBuffer()
        self.now = now
        self.lastKeyExchange = now()
        let plaintext = SSHPlaintextProtection(maximumPacketLength: configuration.limits.maximumPacketLength)
        self.sealer = plaintext
        self.opener = plaintext
        self.clientAuth.username = clientUsername
        self.clientAuth.methods = clientAuthentication
        self.output.writeString(self.localVersion + "\r\n")
        // RFC 4253 §7.1: either side may send KEXINIT without waiting for the other's.
        self.startKeyExchange()
    }

    /// The peer's identification string, once received.
    public var peerIdentification: String? { self.peerVersion }

    /// Whether the first key exchange has finished and the link is encrypted.
    public var isEncrypted: Bool { self.completedKeyExchanges > 0 }

    /// The algorithms in use after the latest key exchange.
    public internal(set) var negotiated: SSHNegotiatedAlgorithms?

    /// Takes the bytes the engine wants sent, if any.
    public func takeOutput() -> ByteBuffer? {
        guard self.output.readableBytes > 0 else { return nil }
        let out = self.output
        // No capacity is kept: an idle connection holds no output buffer, and the next packet allocates its own.
        self.output = ByteBuffer()
        return out
    }

    /// Feeds bytes received from the peer.
    ///
    /// - Throws: ``SSHError`` for anything fatal. The engine has then queued an SSH_MSG_DISCONNECT where
    ///   the protocol allows one; send what ``takeOutput()`` returns, then close the connection.
    public func receive(_ bytes: inout ByteBuffer) throws {
        try self.fatalOnError {
            while bytes.readableBytes > 0 {
                guard !self.isClosed else {
                    bytes.moveReaderIndex(forwardBy: bytes.readableBytes)
                    return
                }
                if self.input.readableBytes == 0 {
                    // Parse the transport's buffer in place: whole packets are opened straight from it.
                    if self.inputIsCarry {
                        swap(&self.input, &self.carry)
                        self.inputIsCarry = false
                    }
                    swap(&self.input, &bytes)
                    try self.processInput()
                    // Let the transport have its buffer back to read into again; a partial packet moves to the
                    // engine's own buffer.
                    if self.input.readableBytes > 0 {
                        self.carry.clear()
                        self.carry.writeBuffer(&self.input)
                        swap(&self.input, &self.carry)
                        self.inputIsCarry = true
                        self.carry = ByteBuffer()
                    } else {
                        self.input = ByteBuffer()
                    }
                } else {
                    // Complete the partial packet from the front of the new bytes, a piece at a time, then go back
                    // to parsing in place. Only the bytes of packets that straddle two reads are copied.
                    var piece = bytes.readSlice(length: min(bytes.readableBytes, Self.carryPiece))!
                    if self.input.writableBytes < piece.readableBytes && self.input.readerIndex > 0 {
                        self.input.discardReadBytes()
                    }
                    self.input.writeBuffer(&piece)
                    try self.processInput()
                }
            }
            if self.input.readableBytes == 0 {
                // Let go of the receive buffers once every byte is consumed, so an idle connection keeps none.
                self.input = ByteBuffer()
                self.carry = ByteBuffer()
                self.inputIsCarry = false
            }
        }
    }

    /// Runs `body`; a thrown error closes the engine after queueing a DISCONNECT with the right reason.
    func fatalOnError(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as SSHError {
            self.failConnection(error)
            throw error
        }
    }

    /// Queues the DISCONNECT matching `error` and closes the engine (for errors found outside the engine,
    /// such as timeouts).
    public func terminate(with error: SSHError) {
        self.failConnection(error)
    }

    func failConnection(_ error: SSHError) {
        guard !self.isClosed else { return }
        let reason: UInt32
        switch error.code {
        case .macError: reason = SSHDisconnectReason.macError
        case .keyExchangeFailed: reason = SSHDisconnectReason.keyExchangeFailed
        case .hostKeyNotVerifiable: reason = SSHDisconnectReason.hostKeyNotVerifiable
        case .badVersion: reason = SSHDisconnectReason.protocolVersionNotSupported
        case .authenticationFailed: reason = SSHDisconnectReason.noMoreAuthMethodsAvailable
        case .limitExceeded: reason = SSHDisconnectReason.byApplication
        case .disconnected, .connectionClosed:
            self.isClosed = true
            return
        default: reason = SSHDisconnectReason.protocolError
        }
        self.disconnect(reason: reason, description: error.message)
    }

    /// Sends SSH_MSG_DISCONNECT (when the version exchange is done) and closes the engine.
    public func disconnect(reason: UInt32 = SSHDisconnectReason.byApplication, description: String) {
        guard !self.isClosed else { return }
        if self.peerVersion != nil {
            self.sendNow(.disconnect(.init(reason: reason, description: description)))
        }
        self.isClosed = true
    }

    private func processInput() throws {
        self.isProcessingInput = true
        defer { self.isProcessingInput = false }
        if self.peerVersion == nil {
            try self.readVersion()
            if self.peerVersion == nil { return }
        }
        while !self.isClosed && !self.isAwaitingDecision {
            guard var payload = try self.opener.open(&self.input, sequenceNumber: self.receiveSequence) else { break }
            self.bytesReceivedWithKeys &+= UInt64(payload.readableBytes)
            let sequence = self.receiveSequence
            self.receiveSequence &+= 1
            self.packetsReceived += 1
            let raw = payload
            let message = try payload.readSSHMessage()
            try self.handle(message, payload: raw, sequenceNumber: sequence)
            if self.bytesReceivedWithKeys >= self.configuration.limits.rekeyBytes { self.maybeStartRekey() }
        }
        self.drainChannels()
    }

    /// Continues decoding after an asynchronous decision, unless called from inside the decode loop.
    func resumeInput() throws {
        guard !self.isProcessingInput else { return }
        try self.processInput()
    }

    /// Client or server, after the version line: dispatch one decoded message.
    private func handle(_ message: SSHMessage, payload: ByteBuffer, sequenceNumber: UInt32) throws {
        // Strict kex (OpenSSH PROTOCOL): during the first exchange only kex messages are allowed.
        if self.completedKeyExchanges == 0 && self.strictKeyExchange && !Self.isKeyExchangeMessage(message.number) {
            if case .disconnect(let d) = message { return self.peerDisconnected(d) }
            throw SSHError(.protocolError, "\(message.name) received during strict key exchange")
        }
        switch message {
        case .disconnect(let d):
            self.peerDisconnected(d)
        case .ignore, .debug, .unimplemented:
            break
        case .kexInit, .newKeys, .kexECDHInit, .kexECDHReply:
            try self.handleKeyExchange(message, payload: payload, sequenceNumber: sequenceNumber)
        case .unknown(let number, _) where (30...49).contains(number):
            try self.handleKeyExchange(message, payload: payload, sequenceNumber: sequenceNumber)
        case .extInfo(let info):
            self.handleExtInfo(info)
        case .serviceRequest, .serviceAccept, .userAuthRequest, .userAuthFailure, .userAuthSuccess, .userAuthBanner,
            .userAuthMethodSpecific:
            guard self.isEncrypted else { throw SSHError(.protocolError, "\(message.name) before key exchange") }
            if self.configuration.role == .server {
                try self.handleServerAuth(message)
            } else {
                try self.handleClientAuth(message)
            }
        case .globalRequest, .requestSuccess, .requestFailure, .channelOpen, .channelOpenConfirmation,
            .channelOpenFailure, .channelWindowAdjust, .channelData, .channelExtendedData, .channelEOF, .channelClose,
            .channelRequest, .channelSuccess, .channelFailure:
            guard self.authenticatedUsername != nil else {
                throw SSHError(.protocolError, "\(message.name) before authentication")
            }
            try self.handleConnection(message)
        case .unknown:
            // RFC 4253 §11.4: answer with the packet's sequence number and carry on.
            self.send(.unimplemented(.init(sequenceNumber: sequenceNumber)))
        }
    }

    private func peerDisconnected(_ message: SSHMessage.Disconnect) {
        self.isClosed = true
        self.delegate?.engine(self, peerDisconnected: message.reason, description: message.description)
    }

    static func isKeyExchangeMessage(_ number: UInt8) -> Bool {
        (20...49).contains(number)
    }

    /// Transport messages that may be sent while a key exchange is running (RFC 4253 §7.1).
    static func isAllowedDuringKeyExchange(_ number: UInt8) -> Bool {
        (1...4).contains(number) || (20...49).contains(number)
    }

    /// Sends `message` now, or holds it until our NEWKEYS when a key exchange forbids it.
    func send(_ message: SSHMessage) {
        if self.keyExchange.holdsOutbound && !Self.isAllowedDuringKeyExchange(message.number) {
            self.heldMessages.append(message)
            return
        }
        self.sendNow(message)
    }

    /// Encodes, protects and queues one message, whatever the key exchange state.
    func sendNow(_ message: SSHMessage) {
        var payload = ByteBuffer()
        payload.writeSSHMessage(message)
        self.sendPayload(payload)
    }

    func sendPayload(_ payload: ByteBuffer) {
        self.sendPayload(SSHPacketPayload(head: payload))
    }

    /// Sends CHANNEL_DATA or CHANNEL_EXTENDED_DATA with the data framed straight from `data`, without
    /// copying it into a payload buffer first.
    func sendChannelData(recipient: UInt32, data: ByteBuffer, extendedType: UInt32?) {
        self.headerScratch.clear()
        if let extendedType {
            self.headerScratch.writeInteger(SSHMessageNumber.channelExtendedData)
            self.headerScratch.writeInteger(recipient)
            self.headerScratch.writeInteger(extendedType)
        } else {
            self.headerScratch.writeInteger(SSHMessageNumber.channelData)
            self.headerScratch.writeInteger(recipient)
        }
        self.headerScratch.writeInteger(UInt32(data.readableBytes))
        self.sendPayload(SSHPacketPayload(head: self.headerScratch, body: data))
    }

    private func sendPayload(_ payload: SSHPacketPayload) {
        guard !self.isClosed else { return }
        do {
            try self.sealer.seal(payload, sequenceNumber: self.sendSequence, into: &self.output)
        } catch {
            // Sealing only fails for an impossible packet size: a bug, never peer input.
            preconditionFailure("sealing an SSH packet failed: \(error)")
        }
        self.sendSequence &+= 1
        self.bytesSentWithKeys &+= UInt64(payload.readableBytes)
        if self.bytesSentWithKeys >= self.configuration.limits.rekeyBytes {
            self.maybeStartRekey()
        }
    }
}

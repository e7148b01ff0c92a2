import NIOCore
import SSHKeys
import SSHProtocol
import SSHTransport

/// Where the current key exchange stands (RFC 4253 §7–§9).
enum KeyExchangeState {
    /// Keys in use, no exchange running.
    case idle
    /// Our KEXINIT is sent; the peer's has not arrived.
    case sentInit(local: SSHMessage.KeyExchangeInit, localPayload: ByteBuffer)
    /// Both KEXINITs are known.
    case running(KeyExchangeRun)

    /// Whether connection-layer messages must wait: from our KEXINIT until our NEWKEYS (RFC 4253 §7.1).
    var holdsOutbound: Bool {
        switch self {
        case .idle: return false
        case .sentInit: return true
        case .running(let run): return !run.newKeysSent
        }
    }
}

struct KeyExchangeRun {
    var localPayload: ByteBuffer
    var peerPayload: ByteBuffer
    var negotiated: SSHNegotiatedAlgorithms
    var method: any SSHKeyExchangeMethod
    var ignoreNextPacket: Bool
    var hostKey: SSHPublicKey?
    var newKeysSent = false
    var newKeysReceived = false
    var pendingOutbound: (any SSHOutboundProtection)?
    var pendingInbound: (any SSHInboundProtection)?
}

/// Names that only signal a feature inside the key exchange list.
enum KeyExchangeExtensionNames {
    static let extInfoClient = "ext-info-c"
    static let extInfoServer = "ext-info-s"
    static let strictClient = "kex-strict-c-v00@openssh.com"
    static let strictServer = "kex-strict-s-v00@openssh.com"
}

extension SSHConnectionEngine {
    /// Starts a key re-exchange now, if none is running (RFC 4253 §9).
    public func initiateKeyExchange() {
        guard !self.isClosed, self.isEncrypted else { return }
        self.startKeyExchange()
        self.drainChannels()
    }

    func startKeyExchange() {
        guard case .idle = self.keyExchange else { return }
        let local = self.makeKeyExchangeInit()
        var payload = ByteBuffer()
        payload.writeSSHMessage(.kexInit(local))
        self.keyExchange = .sentInit(local: local, localPayload: payload)
        self.sendPayload(payload)
    }

    /// Whether a key exchange is running (for a timeout kept by the caller).
    public var isKeyExchangeRunning: Bool {
        if case .idle = self.keyExchange { return false }
        return true
    }

    /// How many key exchanges have completed on this connection.
    public var keyExchangeCount: Int { self.completedKeyExchanges }

    /// Starts a re-exchange when the current keys' time or byte budget is spent; call it from a timer.
    public func checkRekeyBudget() {
        self.maybeStartRekey(checkingTime: true)
        self.drainChannels()
    }

    /// Re-keys when the byte budget of the current keys is spent, or (when asked, from a timer) their time.
    func maybeStartRekey(checkingTime: Bool = false) {
        guard self.isEncrypted, !self.isClosed, case .idle = self.keyExchange else { return }
        let limits = self.configuration.limits
        if max(self.bytesSentWithKeys, self.bytesReceivedWithKeys) >= limits.rekeyBytes {
            self.startKeyExchange()
        } else if checkingTime && self.now() - self.lastKeyExchange >= .nanoseconds(Int64(limits.rekeySeconds * 1e9)) {
            self.startKeyExchange()
        }
    }

    private func makeKeyExchangeInit() -> SSHMessage.KeyExchangeInit {
        var generator = SystemRandomNumberGenerator()
        let cookie = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let algorithms = self.configuration.algorithms
        var kex = algorithms.keyExchange
        let hostKeys: [String]
        switch self.configuration.role {
        case .client:
            if self.completedKeyExchanges == 0 {
                kex += [KeyExchangeExtensionNames.extInfoClient, KeyExchangeExtensionNames.strictClient]
            }
            var names = algorithms.hostKeys
            if algorithms.allowSHA1RSASignatures && !names.contains("ssh-rsa") { names.append("ssh-rsa") }
            if let known = self.acceptedHostKey {
                // After the first exchange only the accepted key's algorithms make sense.
                names = names.filter { Self.keyType(forHostKeyAlgorithm: $0) == known.type }
            }
            hostKeys = names
        case .server:
            if self.completedKeyExchanges == 0 {
                kex.append(KeyExchangeExtensionNames.strictServer)
            }
            hostKeys = self.configuration.hostKeys.flatMap { key in
                key.publicKey.signatureAlgorithms.filter { $0 != "ssh-rsa" || algorithms.allowSHA1RSASignatures }
            }
        }
        return SSHMessage.KeyExchangeInit(
            cookie: cookie,
            keyExchangeAlgorithms: kex,
            serverHostKeyAlgorithms: hostKeys,
            encryptionAlgorithmsClientToServer: algorithms.ciphers,
            encryptionAlgorithmsServerToClient: algorithms.ciphers,
            macAlgorithmsClientToServer: algorithms.macs,
            macAlgorithmsServerToClient: algorithms.macs
        )
    }

    static func keyType(forHostKeyAlgorithm name: String) -> SSHKeyType? {
        switch name {
        case "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa": return .rsa
        default: return SSHKeyType(rawValue: name)
        }
    }

    func handleKeyExchange(_ message: SSHMessage, payload: ByteBuffer, sequenceNumber: UInt32) throws {
        if case .kexInit(let peer) = message {
            return try self.receivedKeyExchangeInit(peer, payload: payload, sequenceNumber: sequenceNumber)
        }
        guard case .running(var run) = self.keyExchange else {
            throw SSHError(.protocolError, "\(message.name) outside a key exchange")
        }
        if run.ignoreNextPacket && message.number != SSHMessageNumber.newKeys {
            // RFC 4253 §7.1: the peer's guessed first kex packet was for other algorithms.
            run.ignoreNextPacket = false
            self.keyExchange = .running(run)
            return
        }
        switch (message, self.configuration.role) {
        case (.kexECDHInit(let m), .server):
            try self.serverReceivedECDHInit(m, run: &run)
        case (.kexECDHReply(let m), .client):
            try self.clientReceivedECDHReply(m, run: &run)
        case (.newKeys, _):
            guard let inbound = run.pendingInbound, !run.newKeysReceived else {
                throw SSHError(.protocolError, "unexpected NEWKEYS")
            }
            self.opener = inbound
            self.bytesReceivedWithKeys = 0
            run.pendingInbound = nil
            run.newKeysReceived = true
            if self.strictKeyExchange { self.receiveSequence = 0 }
            self.keyExchange = .running(run)
            self.finishKeyExchangeIfDone()
        default:
            throw SSHError(.protocolError, "unexpected \(message.name) during key exchange")
        }
    }

    private func receivedKeyExchangeInit(
        _ peer: SSHMessage.KeyExchangeInit,
        payload: ByteBuffer,
        sequenceNumber: UInt32
    ) throws {
        if case .idle = self.keyExchange { self.startKeyExchange() }
        guard case .sentInit(let local, let localPayload) = self.keyExchange else {
            throw SSHError(.protocolError, "KEXINIT received during a key exchange")
        }
        let isServer = self.configuration.role == .server
        let client = isServer ? peer : local
        let server = isServer ? local : peer
        if self.completedKeyExchanges == 0 {
            self.strictKeyExchange =
                client.keyExchangeAlgorithms.contains(KeyExchangeExtensionNames.strictClient)
                && server.keyExchangeAlgorithms.contains(KeyExchangeExtensionNames.strictServer)
            if self.strictKeyExchange && sequenceNumber != 0 {
                throw SSHError(.protocolError, "strict key exchange: KEXINIT was not the first packet")
            }
            if isServer {
                self.peerSupportsExtInfo = peer.keyExchangeAlgorithms.contains(KeyExchangeExtensionNames.extInfoClient)
            }
        }
        let negotiated = try SSHNegotiatedAlgorithms(client: client, server: server)
        let method = try SSHKeyExchangeMethods.make(negotiated.keyExchange)
        var run = KeyExchangeRun(
            localPayload: localPayload,
            peerPayload: payload,
            negotiated: negotiated,
            method: method,
            ignoreNextPacket: peer.firstKexPacketFollows
                && !SSHNegotiatedAlgorithms.guessWasRight(client: client, server: server)
        )
        if !isServer {
            self.sendNow(.kexECDHInit(.init(clientPublicKey: method.localPublicKey)))
        }
        _ = run.ignoreNextPacket  // (kept in state)
        run.newKeysSent = false
        self.keyExchange = .running(run)
    }

    private func serverReceivedECDHInit(_ message: SSHMessage.KeyExchangeECDHInit, run: inout KeyExchangeRun) throws {
        guard run.pendingOutbound == nil, !run.newKeysSent else {
            throw SSHError(.protocolError, "second KEX_ECDH_INIT")
        }
        let algorithm = run.negotiated.hostKey
        guard let type = Self.keyType(forHostKeyAlgorithm: algorithm),
            let hostKey = self.configuration.hostKeys.first(where: { $0.publicKey.type == type })
        else {
            throw SSHError(.keyExchangeFailed, "no host key for \(algorithm)")
        }
        let secret = try run.method.sharedSecret(peerPublicKey: message.clientPublicKey)
        let blob = hostKey.publicKey.wireBlob
        let hash = sshExchangeHash(
            method: run.method,
            clientVersion: self.peerVersion ?? "",
            serverVersion: self.localVersion,
            clientKexInit: run.peerPayload,
            serverKexInit: run.localPayload,
            hostKeyBlob: blob,
            clientPublic: message.clientPublicKey,
            serverPublic: run.method.localPublicKey,
            sharedSecret: secret
        )
        if self.sessionID == nil { self.sessionID = hash }
        let signature = try hostKey.signature(for: ByteBuffer(bytes: hash), algorithm: algorithm)
        var signatureBlob = ByteBuffer()
        signature.write(to: &signatureBlob)
        self.sendNow(
            .kexECDHReply(.init(hostKey: blob, serverPublicKey: run.method.localPublicKey, signature: signatureBlob))
        )
        try self.deriveKeys(run: &run, secret: secret, hash: hash)
        self.keyExchange = .running(run)
        self.sendNewKeys()
    }

    private func clientReceivedECDHReply(_ message: SSHMessage.KeyExchangeECDHReply, run: inout KeyExchangeRun) throws {
        guard run.hostKey == nil else { throw SSHError(.protocolError, "second KEX_ECDH_REPLY") }
        let algorithm = run.negotiated.hostKey
        let hostKey: SSHPublicKey
        let signature: SSHSignature
        do {
            hostKey = try SSHPublicKey(wireBlob: message.hostKey)
            signature = try SSHSignature(wireBlob: message.signature)
        } catch {
            throw SSHError(.hostKeyNotVerifiable, "malformed host key or signature: \(error)")
        }
        guard Self.keyType(forHostKeyAlgorithm: algorithm) == hostKey.type, signature.algorithm == algorithm else {
            throw SSHError(
                .hostKeyNotVerifiable,
                "server sent a \(hostKey.type.rawValue) key signed with \(signature.algorithm), negotiated \(algorithm)"
            )
        }
        let secret = try run.method.sharedSecret(peerPublicKey: message.serverPublicKey)
        let hash = sshExchangeHash(
            method: run.method,
            clientVersion: self.localVersion,
            serverVersion: self.peerVersion ?? "",
            clientKexInit: run.localPayload,
            serverKexInit: run.peerPayload,
            hostKeyBlob: message.hostKey,
            clientPublic: run.method.localPublicKey,
            serverPublic: message.serverPublicKey,
            sharedSecret: secret
        )
        guard hostKey.isValidSignature(signature, for: ByteBuffer(bytes: hash)) else {
            throw SSHError(.hostKeyNotVerifiable, "host key signature does not verify")
        }
        if self.sessionID == nil { self.sessionID = hash }
        run.hostKey = hostKey
        try self.deriveKeys(run: &run, secret: secret, hash: hash)
        self.keyExchange = .running(run)
        if let accepted = self.acceptedHostKey {
            guard accepted == hostKey else {
                throw SSHError(.hostKeyNotVerifiable, "host key changed during key re-exchange")
            }
            self.sendNewKeys()
        } else {
            self.isAwaitingDecision = true
            self.delegate?.engine(self, verifyHostKey: hostKey)
        }
    }

    /// Client role: the answer to ``SSHConnectionEngineDelegate/engine(_:verifyHostKey:)``.
    ///
    /// - Throws: ``SSHError`` `.hostKeyNotVerifiable` when rejected (a DISCONNECT is queued), or any error
    ///   from packets decoded after the decision.
    public func completeHostKeyVerification(accepted: Bool) throws {
        guard self.isAwaitingDecision, case .running(let run) = self.keyExchange, let key = run.hostKey else { return }
        self.isAwaitingDecision = false
        try self.fatalOnError {
            guard accepted else {
                throw SSHError(.hostKeyNotVerifiable, "host key \(key.fingerprint) was not accepted")
            }
            self.acceptedHostKey = key
            self.sendNewKeys()
            try self.resumeInput()
        }
    }

    private func deriveKeys(run: inout KeyExchangeRun, secret: [UInt8], hash: [UInt8]) throws {
        let sessionID = self.sessionID ?? hash
        func keys(
            iv: UInt8,
            encryption: UInt8,
            integrity: UInt8,
            cipher: String,
            mac: String?
        ) throws
            -> SSHDirectionalKeys
        {
            let lengths = try SSHTransportAlgorithms.keyLengths(cipher: cipher, mac: mac)
            func derive(_ letter: UInt8, _ length: Int) -> [UInt8] {
                length == 0
                    ? []
                    : sshDeriveKey(
                        method: run.method,
                        sharedSecret: secret,
                        exchangeHash: hash,
                        letter: letter,
                        sessionID: sessionID,
                        length: length
                    )
            }
            return SSHDirectionalKeys(
                initialIV: derive(iv, lengths.iv),
                encryptionKey: derive(encryption, lengths.encryption),
                integrityKey: derive(integrity, lengths.integrity)
            )
        }
        let n = run.negotiated
        let clientToServer = try keys(
            iv: UInt8(ascii: "A"),
            encryption: UInt8(ascii: "C"),
            integrity: UInt8(ascii: "E"),
            cipher: n.cipherClientToServer,
            mac: n.macClientToServer
        )
        let serverToClient = try keys(
            iv: UInt8(ascii: "B"),
            encryption: UInt8(ascii: "D"),
            integrity: UInt8(ascii: "F"),
            cipher: n.cipherServerToClient,
            mac: n.macServerToClient
        )
        let maximum = self.configuration.limits.maximumPacketLength
        if self.configuration.role == .server {
            run.pendingOutbound = try SSHTransportAlgorithms.makeOutbound(
                cipher: n.cipherServerToClient,
                mac: n.macServerToClient,
                keys: serverToClient
            )
            run.pendingInbound = try SSHTransportAlgorithms.makeInbound(
                cipher: n.cipherClientToServer,
                mac: n.macClientToServer,
                keys: clientToServer,
                maximumPacketLength: maximum
            )
        } else {
            run.pendingOutbound = try SSHTransportAlgorithms.makeOutbound(
                cipher: n.cipherClientToServer,
                mac: n.macClientToServer,
                keys: clientToServer
            )
            run.pendingInbound = try SSHTransportAlgorithms.makeInbound(
                cipher: n.cipherServerToClient,
                mac: n.macServerToClient,
                keys: serverToClient,
                maximumPacketLength: maximum
            )
        }
    }

    private func sendNewKeys() {
        guard case .running(var run) = self.keyExchange, let outbound = run.pendingOutbound else { return }
        self.sendNow(.newKeys)
        self.sealer = outbound
        self.bytesSentWithKeys = 0
        if self.strictKeyExchange { self.sendSequence = 0 }
        run.pendingOutbound = nil
        run.newKeysSent = true
        self.keyExchange = .running(run)
        if self.configuration.role == .server && self.completedKeyExchanges == 0 && self.peerSupportsExtInfo {
            // RFC 8308 §2.4: the server's EXT_INFO goes right after its first NEWKEYS.
            self.sendNow(.extInfo(self.serverExtensions()))
        }
        let held = self.heldMessages
        self.heldMessages.removeAll()
        for message in held { self.sendNow(message) }
        self.finishKeyExchangeIfDone()
    }

    private func finishKeyExchangeIfDone() {
        guard case .running(let run) = self.keyExchange, run.newKeysSent, run.newKeysReceived else { return }
        self.keyExchange = .idle
        self.negotiated = run.negotiated
        self.completedKeyExchanges += 1
        self.lastKeyExchange = self.now()
        if self.completedKeyExchanges == 1 && self.configuration.role == .client {
            self.sendNow(.serviceRequest(.init(service: "ssh-userauth")))
        }
        // Traffic that flowed while the exchange finished may already have spent the new keys' budget.
        self.maybeStartRekey()
    }

    /// The signature algorithms this server accepts for user keys (RFC 8308 §3.1).
    var acceptedUserSignatureAlgorithms: [String] {
        var names = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]
        names += ["rsa-sha2-512", "rsa-sha2-256"]
        if self.configuration.algorithms.allowSHA1RSASignatures { names.append("ssh-rsa") }
        return names
    }

    private func serverExtensions() -> SSHMessage.ExtInfo {
        var value = ByteBuffer()
        value.writeString(self.acceptedUserSignatureAlgorithms.joined(separator: ","))
        return SSHMessage.ExtInfo(extensions: [(name: "server-sig-algs", value: value)])
    }

    func handleExtInfo(_ info: SSHMessage.ExtInfo) {
        guard self.configuration.role == .client, let value = info.value(of: "server-sig-algs") else { return }
        self.peerSignatureAlgorithms = String(decoding: value.readableBytesView, as: UTF8.self)
            .split(separator: ",").map(String.init)
    }
}

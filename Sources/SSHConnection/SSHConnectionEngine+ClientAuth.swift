import NIOCore
import SSHKeys
import SSHProtocol

/// Client side of user authentication (RFC 4252, RFC 4256).
struct ClientAuthState {
    enum Phase {
        case awaitingServiceAccept
        /// The "none" probe is out, to learn the server's methods.
        case probing
        /// Trying `methods[index]`.
        case trying(index: Int, method: String)
        /// Waiting for the delegate to sign for the signer at `methods[index]`; `data` is what it signs.
        case signing(index: Int, requestID: UInt64, key: SSHPublicKey, algorithm: String, data: ByteBuffer)
        case authenticated
        case failed
    }

    var username = ""
    var methods: [SSHClientAuthenticationMethod] = []
    var phase: Phase = .awaitingServiceAccept
    /// What the server said can continue, from the latest failure.
    var serverMethods: [String] = []
    /// Methods already tried, by index into `methods` and method name.
    var tried: Set<String> = []
    /// The identifier of the latest signing request.
    var lastSigningRequestID: UInt64 = 0
    /// Set when every method has been tried, so a failure found inside a delegate call still surfaces.
    var failure: SSHError?
}

extension SSHConnectionEngine {
    func handleClientAuth(_ message: SSHMessage) throws {
        switch (self.clientAuth.phase, message) {
        case (.awaitingServiceAccept, .serviceAccept(let accept)) where accept.service == "ssh-userauth":
            self.clientAuth.phase = .probing
            self.send(
                .userAuthRequest(.init(username: self.clientAuth.username, service: "ssh-connection", method: .none))
            )
        case (_, .userAuthBanner(let banner)):
            self.delegate?.engine(self, receivedBanner: banner.message)
        case (.probing, .userAuthFailure(let failure)), (.trying, .userAuthFailure(let failure)):
            self.clientAuth.serverMethods = failure.methodsThatCanContinue
            try self.tryNextClientMethod()
        case (.probing, .userAuthSuccess), (.trying, .userAuthSuccess):
            self.clientAuth.phase = .authenticated
            self.authenticatedUsername = self.clientAuth.username
            self.delegate?.engine(self, authenticatedAs: self.clientAuth.username)
        case (.trying(_, "keyboard-interactive"), .userAuthMethodSpecific(SSHMessageNumber.userAuthInfoRequest, let p)):
            try self.answerKeyboardInteractive(SSHUserAuthInfoRequest(payload: p))
        case (.trying(_, "publickey"), .userAuthMethodSpecific(SSHMessageNumber.userAuthPKOK, _)):
            // We always send signed requests, so PK_OK is not expected; tolerate it.
            break
        default:
            throw SSHError(.protocolError, "unexpected \(message.name) during authentication")
        }
    }

    /// Picks the next configured method the server still accepts, and sends it.
    private func tryNextClientMethod() throws {
        let server = self.clientAuth.serverMethods
        for (index, method) in self.clientAuth.methods.enumerated() {
            switch method {
            case .publicKey(let key):
                let id = "publickey/\(index)"
                guard server.contains("publickey"), !self.clientAuth.tried.contains(id) else { continue }
                self.clientAuth.tried.insert(id)
                guard let algorithm = self.userSignatureAlgorithm(for: key.publicKey) else { continue }
                let data = try self.dataToSign(key: key.publicKey, algorithm: algorithm)
                let signature = try key.signature(for: data, algorithm: algorithm)
                self.sendPublicKeyRequest(key: key.publicKey, algorithm: algorithm, signature: signature)
                self.clientAuth.phase = .trying(index: index, method: "publickey")
                return
            case .signer(let signer):
                let id = "publickey/\(index)"
                guard server.contains("publickey"), !self.clientAuth.tried.contains(id) else { continue }
                self.clientAuth.tried.insert(id)
                let key = signer.publicKey
                guard let algorithm = self.userSignatureAlgorithm(for: key) else { continue }
                let data = try self.dataToSign(key: key, algorithm: algorithm)
                self.clientAuth.lastSigningRequestID &+= 1
                let request = SSHUserAuthenticationSigningRequest(
                    id: self.clientAuth.lastSigningRequestID,
                    signer: signer,
                    algorithm: algorithm,
                    data: Array(data.readableBytesView)
                )
                self.clientAuth.phase = .signing(
                    index: index,
                    requestID: request.id,
                    key: key,
                    algorithm: algorithm,
                    data: data
                )
                self.isAwaitingDecision = true
                if let delegate = self.delegate {
                    delegate.engine(self, sign: request)
                } else {
                    try? self.completeSigning(requestID: request.id, signature: nil)
                }
                // A delegate that answered at once may have run out of methods; its error was swallowed.
                if let failure = self.clientAuth.failure { throw failure }
                return
            case .password(let password):
                let passwordID = "password/\(index)"
                if server.contains("password") && !self.clientAuth.tried.contains(passwordID) {
                    self.clientAuth.tried.insert(passwordID)
                    self.clientAuth.phase = .trying(index: index, method: "password")
                    self.send(
                        .userAuthRequest(
                            .init(
                                username: self.clientAuth.username,
                                service: "ssh-connection",
                                method: .password(password: password, newPassword: nil)
                            )
                        )
                    )
                    return
                }
                let interactiveID = "keyboard-interactive/\(index)"
                if server.contains("keyboard-interactive") && !self.clientAuth.tried.contains(interactiveID) {
                    self.clientAuth.tried.insert(interactiveID)
                    self.clientAuth.phase = .trying(index: index, method: "keyboard-interactive")
                    self.send(
                        .userAuthRequest(
                            .init(
                                username: self.clientAuth.username,
                                service: "ssh-connection",
                                method: .keyboardInteractive(language: "", submethods: "")
                            )
                        )
                    )
                    return
                }
            }
        }
        self.clientAuth.phase = .failed
        let failure = SSHError(
            .authenticationFailed,
            "permission denied (the server accepts: \(server.joined(separator: ",")))"
        )
        self.clientAuth.failure = failure
        throw failure
    }

    /// Client role: the answer to ``SSHConnectionEngineDelegate/engine(_:sign:)``.
    ///
    /// A `nil` signature (the signer failed), one made with another algorithm or one that does not verify
    /// with the signer's public key moves on to the next method, as a key the server refused would.
    /// Completions for another request, repeated ones, and ones arriving when no signature is awaited are
    /// ignored.
    ///
    /// - Throws: ``SSHError`` `.authenticationFailed` when no method is left (a DISCONNECT is queued), or
    ///   any error from packets decoded after the answer.
    public func completeSigning(requestID: UInt64, signature: SSHSignature?) throws {
        guard !self.isClosed,
            case .signing(let index, let expectedID, let key, let algorithm, let data) = self.clientAuth.phase,
            expectedID == requestID
        else { return }
        self.isAwaitingDecision = false
        try self.fatalOnError {
            if let signature, signature.algorithm == algorithm, key.isValidSignature(signature, for: data) {
                self.sendPublicKeyRequest(key: key, algorithm: algorithm, signature: signature)
                self.clientAuth.phase = .trying(index: index, method: "publickey")
            } else {
                try self.tryNextClientMethod()
            }
            try self.resumeInput()
        }
    }

    /// The signature algorithm to use with `key`: RSA follows the server's `server-sig-algs` (RFC 8332 §3.3).
    private func userSignatureAlgorithm(for key: SSHPublicKey) -> String? {
        guard key.type == .rsa else { return key.type.rawValue }
        if let forced = self.forcedUserSignatureAlgorithm { return forced }
        let allowed = self.peerSignatureAlgorithms ?? ["rsa-sha2-512", "rsa-sha2-256"]
        for name in ["rsa-sha2-512", "rsa-sha2-256"] where allowed.contains(name) { return name }
        if self.configuration.algorithms.allowSHA1RSASignatures { return "ssh-rsa" }
        return nil
    }

    /// What a "publickey" request signs (RFC 4252 §7).
    private func dataToSign(key: SSHPublicKey, algorithm: String) throws -> ByteBuffer {
        guard let sessionID = self.sessionID else { throw SSHError(.protocolError, "no session identifier") }
        let blob = key.wireBlob
        var signed = ByteBuffer()
        signed.writeSSHString(sessionID)
        signed.writeInteger(SSHMessageNumber.userAuthRequest)
        signed.writeSSHString(self.clientAuth.username)
        signed.writeSSHString("ssh-connection")
        signed.writeSSHString("publickey")
        signed.writeSSHBoolean(true)
        signed.writeSSHString(algorithm)
        signed.writeSSHString(blob)
        return signed
    }

    private func sendPublicKeyRequest(key: SSHPublicKey, algorithm: String, signature: SSHSignature) {
        let blob = key.wireBlob
        var signatureBlob = ByteBuffer()
        signature.write(to: &signatureBlob)
        self.send(
            .userAuthRequest(
                .init(
                    username: self.clientAuth.username,
                    service: "ssh-connection",
                    method: .publicKey(algorithm: algorithm, keyBlob: blob, signature: signatureBlob)
                )
            )
        )
    }

    /// Answers every hidden prompt with the password and every echoed prompt with nothing (RFC 4256 §3.3).
    private func answerKeyboardInteractive(_ request: SSHUserAuthInfoRequest) throws {
        guard case .trying(let index, _) = self.clientAuth.phase,
            case .password(let password) = self.clientAuth.methods[index]
        else { throw SSHError(.protocolError, "unexpected keyboard-interactive prompt") }
        let answers = request.prompts.map { $0.echo ? "" : password }
        self.send(SSHUserAuthInfoResponse(responses: answers).message)
    }
}

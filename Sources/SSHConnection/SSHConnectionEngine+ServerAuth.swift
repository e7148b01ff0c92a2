import NIOCore
import SSHKeys
import SSHProtocol

/// Server side of user authentication (RFC 4252, RFC 4256).
struct ServerAuthState {
    enum Phase {
        case awaitingServiceRequest
        case awaitingRequest
        /// A decision is with the delegate.
        case deciding(username: String, method: String, isQuery: Bool, keyAlgorithm: String, keyBlob: ByteBuffer)
        /// A keyboard-interactive prompt is out.
        case awaitingInfoResponse(username: String)
        case authenticated
    }

    var phase: Phase = .awaitingServiceRequest
    var attempts = 0
    /// Methods still required after a partial success; nil means the configured list.
    var remainingMethods: [String]?
}

extension SSHConnectionEngine {
    private var allowedMethods: [String] {
        self.serverAuth.remainingMethods ?? self.configuration.authenticationMethods
    }

    func handleServerAuth(_ message: SSHMessage) throws {
        switch (self.serverAuth.phase, message) {
        case (.awaitingServiceRequest, .serviceRequest(let request)):
            guard request.service == "ssh-userauth" else {
                self.disconnect(reason: SSHDisconnectReason.serviceNotAvailable, description: "unknown service")
                throw SSHError(.protocolError, "client asked for service '\(request.service)'")
            }
            self.send(.serviceAccept(.init(service: "ssh-userauth")))
            if let banner = self.configuration.banner {
                self.send(.userAuthBanner(.init(message: banner)))
            }
            self.serverAuth.phase = .awaitingRequest
        case (.awaitingRequest, .userAuthRequest(let request)), (.awaitingInfoResponse, .userAuthRequest(let request)):
            try self.serverReceivedAuthRequest(request)
        case (
            .awaitingInfoResponse(let username), .userAuthMethodSpecific(SSHMessageNumber.userAuthInfoResponse, let p)
        ):
            let response = try SSHUserAuthInfoResponse(payload: p)
            guard response.responses.count == 1 else {
                self.sendAuthFailure(partial: false)
                return
            }
            self.askDelegate(
                .password(username: username, password: response.responses[0], viaKeyboardInteractive: true),
                keyAlgorithm: "",
                keyBlob: ByteBuffer()
            )
        case (.authenticated, .userAuthRequest):
            // RFC 4252 §5.1: requests after success are ignored.
            break
        default:
            throw SSHError(.protocolError, "unexpected \(message.name) during authentication")
        }
    }

    private func serverReceivedAuthRequest(_ request: SSHMessage.UserAuthRequest) throws {
        if case .none = request.method {
            // "none" only asks for the method list; it is not an attempt.
        } else {
            self.serverAuth.attempts += 1
        }
        guard self.serverAuth.attempts <= self.configuration.limits.maximumAuthenticationAttempts else {
            throw SSHError(.authenticationFailed, "too many authentication failures")
        }
        guard request.service == "ssh-connection" else {
            self.sendAuthFailure(partial: false)
            return
        }
        let allowed = self.allowedMethods
        guard allowed.contains(request.method.name) else {
            self.sendAuthFailure(partial: false)
            return
        }
        switch request.method {
        case .password(let password, let newPassword):
            guard newPassword == nil else {
                // Password changes are not supported; RFC 4252 §8 allows a plain failure.
                self.sendAuthFailure(partial: false)
                return
            }
            self.askDelegate(
                .password(username: request.username, password: password, viaKeyboardInteractive: false),
                keyAlgorithm: "",
                keyBlob: ByteBuffer()
            )
        case .publicKey(let algorithm, let blob, let signature):
            guard self.acceptedUserSignatureAlgorithms.contains(algorithm),
                let key = try? SSHPublicKey(wireBlob: blob),
                Self.keyType(forHostKeyAlgorithm: algorithm) == key.type
            else {
                self.sendAuthFailure(partial: false)
                return
            }
            if let signature {
                guard self.verifyUserSignature(request: request, algorithm: algorithm, key: key, signature: signature)
                else {
                    self.sendAuthFailure(partial: false)
                    return
                }
                self.askDelegate(
                    .publicKey(username: request.username, key: key, isQuery: false),
                    keyAlgorithm: algorithm,
                    keyBlob: blob
                )
            } else {
                self.askDelegate(
                    .publicKey(username: request.username, key: key, isQuery: true),
                    keyAlgorithm: algorithm,
                    keyBlob: blob
                )
            }
        case .keyboardInteractive:
            let prompt = SSHUserAuthInfoRequest(
                name: "",
                instruction: "",
                prompts: [(prompt: "Password: ", echo: false)]
            )
            self.serverAuth.phase = .awaitingInfoResponse(username: request.username)
            self.send(prompt.message)
        case .none, .other:
            self.sendAuthFailure(partial: false)
        }
    }

    /// RFC 4252 §7: the signature covers the session identifier and the request itself.
    private func verifyUserSignature(
        request: SSHMessage.UserAuthRequest,
        algorithm: String,
        key: SSHPublicKey,
        signature: ByteBuffer
    ) -> Bool {
        guard let sessionID = self.sessionID, let parsed = try? SSHSignature(wireBlob: signature),
            parsed.algorithm == algorithm
        else { return false }
        var signed = ByteBuffer()
        signed.writeSSHString(sessionID)
        signed.writeInteger(SSHMessageNumber.userAuthRequest)
        signed.writeSSHString(request.username)
        signed.writeSSHString(request.service)
        signed.writeSSHString("publickey")
        signed.writeSSHBoolean(true)
        signed.writeSSHString(algorithm)
        signed.writeSSHString(key.wireBlob)
        return key.isValidSignature(parsed, for: signed)
    }

    private func askDelegate(_ request: SSHAuthenticationRequest, keyAlgorithm: String, keyBlob: ByteBuffer) {
        let isQuery: Bool
        if case .publicKey(_, _, let query) = request { isQuery = query } else { isQuery = false }
        self.serverAuth.phase = .deciding(
            username: request.username,
            method: request.methodName,
            isQuery: isQuery,
            keyAlgorithm: keyAlgorithm,
            keyBlob: keyBlob
        )
        self.isAwaitingDecision = true
        if let delegate = self.delegate {
            delegate.engine(self, authenticate: request)
        } else {
            try? self.completeAuthentication(.failure)
        }
    }

    /// Server role: the answer to ``SSHConnectionEngineDelegate/engine(_:authenticate:)``.
    ///
    /// - Throws: any error from packets decoded after the decision.
    public func completeAuthentication(_ result: SSHAuthenticationResult) throws {
        guard case .deciding(let username, let method, let isQuery, let algorithm, let blob) = self.serverAuth.phase
        else { return }
        self.isAwaitingDecision = false
        self.serverAuth.phase = .awaitingRequest
        try self.fatalOnError {
            switch result {
            case .success where isQuery:
                self.send(SSHUserAuthPKOK(algorithm: algorithm, keyBlob: blob).message)
            case .success:
                self.serverAuth.phase = .authenticated
                self.authenticatedUsername = username
                self.send(.userAuthSuccess)
                self.delegate?.engine(self, authenticatedAs: username)
            case .partialSuccess(let remaining) where !isQuery:
                self.serverAuth.remainingMethods = remaining.filter { $0 != method }
                self.sendAuthFailure(partial: true)
            case .partialSuccess, .failure:
                self.sendAuthFailure(partial: false)
            }
            try self.resumeInput()
        }
    }

    private func sendAuthFailure(partial: Bool) {
        self.send(.userAuthFailure(.init(methodsThatCanContinue: self.allowedMethods, partialSuccess: partial)))
    }
}

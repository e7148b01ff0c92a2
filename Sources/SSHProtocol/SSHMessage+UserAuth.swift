import NIOCore

// RFC 4252 §5–§8, RFC 4256 §3.
extension SSHMessage {
    /// SSH_MSG_USERAUTH_REQUEST (RFC 4252 §5).
    public struct UserAuthRequest: Sendable, Equatable {
        public var username: String
        public var service: String
        public var method: Method

        public init(username: String, service: String, method: Method) {
            self.username = username
            self.service = service
            self.method = method
        }

        /// The method-specific part of the request.
        public enum Method: Sendable, Equatable {
            /// "none" (RFC 4252 §5.2).
            case none
            /// "password" (RFC 4252 §8); `newPassword` is set for a password change request.
            case password(password: String, newPassword: String?)
            /// "publickey" (RFC 4252 §7): without a signature it is a query answered by PK_OK.
            case publicKey(algorithm: String, keyBlob: ByteBuffer, signature: ByteBuffer?)
            /// "keyboard-interactive" (RFC 4256 §3.1).
            case keyboardInteractive(language: String, submethods: String)
            /// Any other method, kept raw.
            case other(name: String, payload: ByteBuffer)

            /// The method name as sent on the wire.
            public var name: String {
                switch self {
                case .none: return "none"
                case .password: return "password"
                case .publicKey: return "publickey"
                case .keyboardInteractive: return "keyboard-interactive"
                case .other(let name, _): return name
                }
            }
        }
    }

    /// SSH_MSG_USERAUTH_FAILURE (RFC 4252 §5.1).
    public struct UserAuthFailure: Sendable, Equatable {
        public var methodsThatCanContinue: [String]
        public var partialSuccess: Bool

        public init(methodsThatCanContinue: [String], partialSuccess: Bool) {
            self.methodsThatCanContinue = methodsThatCanContinue
            self.partialSuccess = partialSuccess
        }
    }

    /// SSH_MSG_USERAUTH_BANNER (RFC 4252 §5.4).
    public struct UserAuthBanner: Sendable, Equatable {
        public var message: String
        public var language: String

        public init(message: String, language: String = "") {
            self.message = message
            self.language = language
        }
    }
}

/// SSH_MSG_USERAUTH_PK_OK (RFC 4252 §7), message 60 in the "publickey" method.
public struct SSHUserAuthPKOK: Sendable, Equatable {
    public var algorithm: String
    public var keyBlob: ByteBuffer

    public init(algorithm: String, keyBlob: ByteBuffer) {
        self.algorithm = algorithm
        self.keyBlob = keyBlob
    }

    /// Parses the payload of message 60 (without the number byte).
    public init(payload: ByteBuffer) throws {
        var payload = payload
        guard let algorithm = payload.readSSHText(), let blob = payload.readSSHString() else {
            throw SSHError(.protocolError, "malformed SSH_MSG_USERAUTH_PK_OK")
        }
        self.init(algorithm: algorithm, keyBlob: blob)
    }

    /// The message to send.
    public var message: SSHMessage {
        var payload = ByteBuffer()
        payload.writeSSHString(self.algorithm)
        payload.writeSSHString(self.keyBlob)
        return .userAuthMethodSpecific(number: SSHMessageNumber.userAuthPKOK, payload: payload)
    }
}

/// SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256 §3.2), message 60 in "keyboard-interactive".
public struct SSHUserAuthInfoRequest: Sendable, Equatable {
    public var name: String
    public var instruction: String
    public var language: String
    public var prompts: [(prompt: String, echo: Bool)]

    public init(name: String, instruction: String, language: String = "", prompts: [(prompt: String, echo: Bool)]) {
        self.name = name
        self.instruction = instruction
        self.language = language
        self.prompts = prompts
    }

    /// Parses the payload of message 60 (without the number byte).
    public init(payload: ByteBuffer, maximumPrompts: Int = 64) throws {
        var payload = payload
        guard let name = payload.readSSHText(), let instruction = payload.readSSHText(),
            let language = payload.readSSHText(), let count = payload.readInteger(as: UInt32.self),
            count <= maximumPrompts
        else {
            throw SSHError(.protocolError, "malformed SSH_MSG_USERAUTH_INFO_REQUEST")
        }
        var prompts: [(prompt: String, echo: Bool)] = []
        for _ in 0..<count {
            guard let prompt = payload.readSSHText(), let echo = payload.readSSHBoolean() else {
                throw SSHError(.protocolError, "malformed SSH_MSG_USERAUTH_INFO_REQUEST prompt")
            }
            prompts.append((prompt, echo))
        }
        self.init(name: name, instruction: instruction, language: language, prompts: prompts)
    }

    /// The message to send.
    public var message: SSHMessage {
        var payload = ByteBuffer()
        payload.writeSSHString(self.name)
        payload.writeSSHString(self.instruction)
        payload.writeSSHString(self.language)
        payload.writeInteger(UInt32(self.prompts.count))
        for prompt in self.prompts {
            payload.writeSSHString(prompt.prompt)
            payload.writeSSHBoolean(prompt.echo)
        }
        return .userAuthMethodSpecific(number: SSHMessageNumber.userAuthInfoRequest, payload: payload)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.name == rhs.name && lhs.instruction == rhs.instruction && lhs.language == rhs.language
            && lhs.prompts.count == rhs.prompts.count
            && zip(lhs.prompts, rhs.prompts).allSatisfy { $0.prompt == $1.prompt && $0.echo == $1.echo }
    }
}

/// SSH_MSG_USERAUTH_INFO_RESPONSE (RFC 4256 §3.4), message 61 in "keyboard-interactive".
public struct SSHUserAuthInfoResponse: Sendable, Equatable {
    public var responses: [String]

    public init(responses: [String]) { self.responses = responses }

    /// Parses the payload of message 61 (without the number byte).
    public init(payload: ByteBuffer, maximumResponses: Int = 64) throws {
        var payload = payload
        guard let count = payload.readInteger(as: UInt32.self), count <= maximumResponses else {
            throw SSHError(.protocolError, "malformed SSH_MSG_USERAUTH_INFO_RESPONSE")
        }
        var responses: [String] = []
        for _ in 0..<count {
            guard let response = payload.readSSHText() else {
                throw SSHError(.protocolError, "malformed SSH_MSG_USERAUTH_INFO_RESPONSE")
            }
            responses.append(response)
        }
        self.init(responses: responses)
    }

    /// The message to send.
    public var message: SSHMessage {
        var payload = ByteBuffer()
        payload.writeInteger(UInt32(self.responses.count))
        for response in self.responses { payload.writeSSHString(response) }
        return .userAuthMethodSpecific(number: SSHMessageNumber.userAuthInfoResponse, payload: payload)
    }
}

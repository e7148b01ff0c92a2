import NIOCore

// draft-ietf-secsh-filexfer-02 §4: the hello exchange. Neither packet has a request id.

extension SFTPRequest {
    /// `SSH_FXP_INIT`: the client's protocol version and extensions (§4).
    public struct Initialize: Hashable, Sendable {
        /// The protocol version this codec speaks: 3.
        public static let version3: UInt32 = 3

        /// The highest version the client supports.
        public var version: UInt32
        /// Extension pairs; OpenSSH's client sends none.
        public var extensions: [SFTPExtensionPair]

        /// Creates the message from its fields.
        public init(version: UInt32 = Initialize.version3, extensions: [SFTPExtensionPair] = []) {
            self.version = version
            self.extensions = extensions
        }
    }
}

extension SFTPResponse {
    /// `SSH_FXP_VERSION`: the version both sides will use (the lower of the two) and the server's
    /// extensions (§4; OpenSSH PROTOCOL §4.2).
    public struct Version: Hashable, Sendable {
        /// The negotiated protocol version.
        public var version: UInt32
        /// Extension pairs; OpenSSH announces each supported extension with its version number.
        public var extensions: [SFTPExtensionPair]

        /// Creates the message from its fields.
        public init(
            version: UInt32 = SFTPRequest.Initialize.version3,
            extensions: [SFTPExtensionPair] = []
        ) {
            self.version = version
            self.extensions = extensions
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPInitialize() -> SFTPRequest.Initialize? {
        guard let version = self.readInteger(as: UInt32.self), let extensions = self.readSFTPExtensionPairs() else {
            return nil
        }
        return SFTPRequest.Initialize(version: version, extensions: extensions)
    }

    mutating func writeSFTPInitialize(_ message: SFTPRequest.Initialize) {
        self.writeInteger(message.version)
        self.writeSFTPExtensionPairs(message.extensions)
    }

    mutating func readSFTPVersion() -> SFTPResponse.Version? {
        guard let version = self.readInteger(as: UInt32.self), let extensions = self.readSFTPExtensionPairs() else {
            return nil
        }
        return SFTPResponse.Version(version: version, extensions: extensions)
    }

    mutating func writeSFTPVersion(_ message: SFTPResponse.Version) {
        self.writeInteger(message.version)
        self.writeSFTPExtensionPairs(message.extensions)
    }

    /// Reads pairs until the packet ends; a lone trailing name is malformed (§4: "both strings MUST
    /// always be present if one is").
    private mutating func readSFTPExtensionPairs() -> [SFTPExtensionPair]? {
        var pairs: [SFTPExtensionPair] = []
        while self.readableBytes > 0 {
            guard let name = self.readSFTPText(), let data = self.readSFTPText() else { return nil }
            pairs.append(SFTPExtensionPair(name: name, data: data))
        }
        return pairs
    }

    private mutating func writeSFTPExtensionPairs(_ pairs: [SFTPExtensionPair]) {
        for pair in pairs {
            self.writeSFTPString(pair.name)
            self.writeSFTPString(pair.data)
        }
    }
}

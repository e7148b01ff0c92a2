import NIOCore

// RFC 4253 §11, §7.1, §10, RFC 8308 §2.3, RFC 5656 §4.
extension SSHMessage {
    /// SSH_MSG_DISCONNECT (RFC 4253 §11.1).
    public struct Disconnect: Sendable, Equatable {
        public var reason: UInt32
        public var description: String
        public var language: String

        public init(reason: UInt32, description: String, language: String = "") {
            self.reason = reason
            self.description = description
            self.language = language
        }
    }

    /// SSH_MSG_IGNORE (RFC 4253 §11.2).
    public struct Ignore: Sendable, Equatable {
        public var data: ByteBuffer
        public init(data: ByteBuffer) { self.data = data }
    }

    /// SSH_MSG_UNIMPLEMENTED (RFC 4253 §11.4): names the rejected packet's sequence number.
    public struct Unimplemented: Sendable, Equatable {
        public var sequenceNumber: UInt32
        public init(sequenceNumber: UInt32) { self.sequenceNumber = sequenceNumber }
    }

    /// SSH_MSG_DEBUG (RFC 4253 §11.3).
    public struct Debug: Sendable, Equatable {
        public var alwaysDisplay: Bool
        public var message: String
        public var language: String

        public init(alwaysDisplay: Bool, message: String, language: String = "") {
            self.alwaysDisplay = alwaysDisplay
            self.message = message
            self.language = language
        }
    }

    /// SSH_MSG_SERVICE_REQUEST (RFC 4253 §10).
    public struct ServiceRequest: Sendable, Equatable {
        public var service: String
        public init(service: String) { self.service = service }
    }

    /// SSH_MSG_SERVICE_ACCEPT (RFC 4253 §10).
    public struct ServiceAccept: Sendable, Equatable {
        public var service: String
        public init(service: String) { self.service = service }
    }

    /// SSH_MSG_EXT_INFO (RFC 8308 §2.3): extension names with opaque values, in order.
    public struct ExtInfo: Sendable, Equatable {
        public var extensions: [(name: String, value: ByteBuffer)]

        public init(extensions: [(name: String, value: ByteBuffer)]) { self.extensions = extensions }

        /// The value of the first extension called `name`.
        public func value(of name: String) -> ByteBuffer? {
            self.extensions.first(where: { $0.name == name })?.value
        }

        public static func == (lhs: ExtInfo, rhs: ExtInfo) -> Bool {
            lhs.extensions.count == rhs.extensions.count
                && zip(lhs.extensions, rhs.extensions).allSatisfy { $0.name == $1.name && $0.value == $1.value }
        }
    }

    /// SSH_MSG_KEXINIT (RFC 4253 §7.1).
    public struct KeyExchangeInit: Sendable, Equatable {
        public var cookie: [UInt8]
        public var keyExchangeAlgorithms: [String]
        public var serverHostKeyAlgorithms: [String]
        public var encryptionAlgorithmsClientToServer: [String]
        public var encryptionAlgorithmsServerToClient: [String]
        public var macAlgorithmsClientToServer: [String]
        public var macAlgorithmsServerToClient: [String]
        public var compressionAlgorithmsClientToServer: [String]
        public var compressionAlgorithmsServerToClient: [String]
        public var languagesClientToServer: [String]
        public var languagesServerToClient: [String]
        public var firstKexPacketFollows: Bool
        public var reserved: UInt32

        public init(
            cookie: [UInt8],
            keyExchangeAlgorithms: [String],
            serverHostKeyAlgorithms: [String],
            encryptionAlgorithmsClientToServer: [String],
            encryptionAlgorithmsServerToClient: [String],
            macAlgorithmsClientToServer: [String],
            macAlgorithmsServerToClient: [String],
            compressionAlgorithmsClientToServer: [String] = ["none"],
            compressionAlgorithmsServerToClient: [String] = ["none"],
            languagesClientToServer: [String] = [],
            languagesServerToClient: [String] = [],
            firstKexPacketFollows: Bool = false,
            reserved: UInt32 = 0
        ) {
            self.cookie = cookie
            self.keyExchangeAlgorithms = keyExchangeAlgorithms
            self.serverHostKeyAlgorithms = serverHostKeyAlgorithms
            self.encryptionAlgorithmsClientToServer = encryptionAlgorithmsClientToServer
            self.encryptionAlgorithmsServerToClient = encryptionAlgorithmsServerToClient
            self.macAlgorithmsClientToServer = macAlgorithmsClientToServer
            self.macAlgorithmsServerToClient = macAlgorithmsServerToClient
            self.compressionAlgorithmsClientToServer = compressionAlgorithmsClientToServer
            self.compressionAlgorithmsServerToClient = compressionAlgorithmsServerToClient
            self.languagesClientToServer = languagesClientToServer
            self.languagesServerToClient = languagesServerToClient
            self.firstKexPacketFollows = firstKexPacketFollows
            self.reserved = reserved
        }
    }

    /// SSH_MSG_KEX_ECDH_INIT (RFC 5656 §4; also curve25519-sha256, RFC 8731 §3): the client's ephemeral key.
    public struct KeyExchangeECDHInit: Sendable, Equatable {
        public var clientPublicKey: [UInt8]
        public init(clientPublicKey: [UInt8]) { self.clientPublicKey = clientPublicKey }
    }

    /// SSH_MSG_KEX_ECDH_REPLY (RFC 5656 §4): host key, the server's ephemeral key, and the signature of H.
    public struct KeyExchangeECDHReply: Sendable, Equatable {
        public var hostKey: ByteBuffer
        public var serverPublicKey: [UInt8]
        public var signature: ByteBuffer

        public init(hostKey: ByteBuffer, serverPublicKey: [UInt8], signature: ByteBuffer) {
            self.hostKey = hostKey
            self.serverPublicKey = serverPublicKey
            self.signature = signature
        }
    }
}

/// Disconnect reason codes (RFC 4253 §11.1, RFC 4250 §4.2.2).
public enum SSHDisconnectReason {
    public static let hostNotAllowedToConnect: UInt32 = 1
    public static let protocolError: UInt32 = 2
    public static let keyExchangeFailed: UInt32 = 3
    public static let macError: UInt32 = 5
    public static let compressionError: UInt32 = 6
    public static let serviceNotAvailable: UInt32 = 7
    public static let protocolVersionNotSupported: UInt32 = 8
    public static let hostKeyNotVerifiable: UInt32 = 9
    public static let connectionLost: UInt32 = 10
    public static let byApplication: UInt32 = 11
    public static let tooManyConnections: UInt32 = 12
    public static let authCancelledByUser: UInt32 = 13
    public static let noMoreAuthMethodsAvailable: UInt32 = 14
    public static let illegalUserName: UInt32 = 15
}

import NIOCore

// RFC 4254 §4–§6.
extension SSHMessage {
    /// SSH_MSG_GLOBAL_REQUEST (RFC 4254 §4); request-specific data is kept raw.
    public struct GlobalRequest: Sendable, Equatable {
        public var name: String
        public var wantReply: Bool
        public var payload: ByteBuffer

        public init(name: String, wantReply: Bool, payload: ByteBuffer = ByteBuffer()) {
            self.name = name
            self.wantReply = wantReply
            self.payload = payload
        }
    }

    /// SSH_MSG_REQUEST_SUCCESS (RFC 4254 §4) with its request-specific data.
    public struct RequestSuccess: Sendable, Equatable {
        public var payload: ByteBuffer
        public init(payload: ByteBuffer = ByteBuffer()) { self.payload = payload }
    }

    /// SSH_MSG_CHANNEL_OPEN (RFC 4254 §5.1); type-specific data is kept raw.
    public struct ChannelOpen: Sendable, Equatable {
        public var type: String
        public var senderChannel: UInt32
        public var initialWindowSize: UInt32
        public var maximumPacketSize: UInt32
        public var payload: ByteBuffer

        public init(
            type: String,
            senderChannel: UInt32,
            initialWindowSize: UInt32,
            maximumPacketSize: UInt32,
            payload: ByteBuffer = ByteBuffer()
        ) {
            self.type = type
            self.senderChannel = senderChannel
            self.initialWindowSize = initialWindowSize
            self.maximumPacketSize = maximumPacketSize
            self.payload = payload
        }
    }

    /// SSH_MSG_CHANNEL_OPEN_CONFIRMATION (RFC 4254 §5.1).
    public struct ChannelOpenConfirmation: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var senderChannel: UInt32
        public var initialWindowSize: UInt32
        public var maximumPacketSize: UInt32
        public var payload: ByteBuffer

        public init(
            recipientChannel: UInt32,
            senderChannel: UInt32,
            initialWindowSize: UInt32,
            maximumPacketSize: UInt32,
            payload: ByteBuffer = ByteBuffer()
        ) {
            self.recipientChannel = recipientChannel
            self.senderChannel = senderChannel
            self.initialWindowSize = initialWindowSize
            self.maximumPacketSize = maximumPacketSize
            self.payload = payload
        }
    }

    /// SSH_MSG_CHANNEL_OPEN_FAILURE (RFC 4254 §5.1).
    public struct ChannelOpenFailure: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var reason: UInt32
        public var description: String
        public var language: String

        public init(recipientChannel: UInt32, reason: UInt32, description: String, language: String = "") {
            self.recipientChannel = recipientChannel
            self.reason = reason
            self.description = description
            self.language = language
        }
    }

    /// SSH_MSG_CHANNEL_WINDOW_ADJUST (RFC 4254 §5.2).
    public struct ChannelWindowAdjust: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var bytesToAdd: UInt32

        public init(recipientChannel: UInt32, bytesToAdd: UInt32) {
            self.recipientChannel = recipientChannel
            self.bytesToAdd = bytesToAdd
        }
    }

    /// SSH_MSG_CHANNEL_DATA (RFC 4254 §5.2). `data` is a slice of the packet, not a copy.
    public struct ChannelData: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var data: ByteBuffer

        public init(recipientChannel: UInt32, data: ByteBuffer) {
            self.recipientChannel = recipientChannel
            self.data = data
        }
    }

    /// SSH_MSG_CHANNEL_EXTENDED_DATA (RFC 4254 §5.2); code 1 is stderr.
    public struct ChannelExtendedData: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var dataTypeCode: UInt32
        public var data: ByteBuffer

        public init(recipientChannel: UInt32, dataTypeCode: UInt32, data: ByteBuffer) {
            self.recipientChannel = recipientChannel
            self.dataTypeCode = dataTypeCode
            self.data = data
        }
    }

    /// SSH_MSG_CHANNEL_EOF (RFC 4254 §5.3).
    public struct ChannelEOF: Sendable, Equatable {
        public var recipientChannel: UInt32
        public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
    }

    /// SSH_MSG_CHANNEL_CLOSE (RFC 4254 §5.3).
    public struct ChannelClose: Sendable, Equatable {
        public var recipientChannel: UInt32
        public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
    }

    /// SSH_MSG_CHANNEL_REQUEST (RFC 4254 §5.4).
    public struct ChannelRequest: Sendable, Equatable {
        public var recipientChannel: UInt32
        public var type: RequestType
        public var wantReply: Bool

        public init(recipientChannel: UInt32, type: RequestType, wantReply: Bool) {
            self.recipientChannel = recipientChannel
            self.type = type
            self.wantReply = wantReply
        }

        /// The request types Ferry interprets (RFC 4254 §6); every other one is kept raw, payload
        /// included, so an unknown request never confuses the parser.
        public enum RequestType: Sendable, Equatable {
            case pty(PseudoTerminal)
            case env(name: String, value: String)
            case shell
            case exec(command: String)
            case subsystem(name: String)
            case windowChange(columns: UInt32, rows: UInt32, width: UInt32, height: UInt32)
            case signal(name: String)
            case exitStatus(UInt32)
            case exitSignal(name: String, coreDumped: Bool, message: String, language: String)
            case other(name: String, payload: ByteBuffer)

            /// The request type string as sent on the wire.
            public var name: String {
                switch self {
                case .pty: return "pty-req"
                case .env: return "env"
                case .shell: return "shell"
                case .exec: return "exec"
                case .subsystem: return "subsystem"
                case .windowChange: return "window-change"
                case .signal: return "signal"
                case .exitStatus: return "exit-status"
                case .exitSignal: return "exit-signal"
                case .other(let name, _): return name
                }
            }
        }

        /// The "pty-req" parameters (RFC 4254 §6.2).
        public struct PseudoTerminal: Sendable, Equatable {
            public var term: String
            public var columns: UInt32
            public var rows: UInt32
            public var width: UInt32
            public var height: UInt32
            public var modes: ByteBuffer

            public init(term: String, columns: UInt32, rows: UInt32, width: UInt32, height: UInt32, modes: ByteBuffer) {
                self.term = term
                self.columns = columns
                self.rows = rows
                self.width = width
                self.height = height
                self.modes = modes
            }
        }
    }

    /// SSH_MSG_CHANNEL_SUCCESS (RFC 4254 §5.4).
    public struct ChannelSuccess: Sendable, Equatable {
        public var recipientChannel: UInt32
        public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
    }

    /// SSH_MSG_CHANNEL_FAILURE (RFC 4254 §5.4).
    public struct ChannelFailure: Sendable, Equatable {
        public var recipientChannel: UInt32
        public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
    }
}

/// Channel open failure reason codes (RFC 4254 §5.1).
public enum SSHChannelOpenFailureReason {
    public static let administrativelyProhibited: UInt32 = 1
    public static let connectFailed: UInt32 = 2
    public static let unknownChannelType: UInt32 = 3
    public static let resourceShortage: UInt32 = 4
}

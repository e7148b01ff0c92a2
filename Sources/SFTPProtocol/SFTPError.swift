/// The error type of the SFTP codec: a stable ``Code``, a diagnostic message and, when the failing
/// packet got far enough to carry one, its request id.
///
/// A server can answer a request it could not decode with `SSH_FXP_STATUS` when ``requestID`` is
/// known (draft-ietf-secsh-filexfer-02 §7: `SSH_FX_BAD_MESSAGE` or `SSH_FX_OP_UNSUPPORTED`), instead
/// of dropping the session.
public struct SFTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// A packet or extension payload is truncated or malformed.
        public static let badMessage = Code("badMessage")
        /// A packet's `length` field exceeds the configured maximum, or is zero.
        public static let badPacketLength = Code("badPacketLength")
        /// The packet type is not one draft-ietf-secsh-filexfer-02 §3 defines.
        public static let unknownPacketType = Code("unknownPacketType")
        /// The packet type is known but travels the other way (a response where a request was
        /// expected, or the reverse).
        public static let unexpectedPacketType = Code("unexpectedPacketType")
        /// An extended request or reply was decoded as an extension it is not.
        public static let wrongExtension = Code("wrongExtension")
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable diagnostic.
    public var message: String
    /// The request id of the failing packet, when it was readable.
    public var requestID: UInt32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, requestID: UInt32? = nil) {
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    public var description: String {
        if let requestID = self.requestID {
            return "\(self.code): \(self.message) (request \(requestID))"
        }
        return "\(self.code): \(self.message)"
    }
}

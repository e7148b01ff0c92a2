import NIOCore

// OpenSSH PROTOCOL §4.8: limits@openssh.com.

extension SFTPExtensions {
    /// `limits@openssh.com` (OpenSSH PROTOCOL §4.8): ask the server for the limits it enforces. It has
    /// no payload. Answered by `SSH_FXP_EXTENDED_REPLY` with a ``LimitsReply``.
    public struct Limits: SFTPExtendedRequestPayload {
        public static let extensionName = "limits@openssh.com"
        public static let extensionVersion = "1"

        /// Creates the payload from its fields.
        public init() {}

        public static func read(from payload: inout ByteBuffer) -> Limits? {
            Limits()
        }

        public func write(to payload: inout ByteBuffer) {}
    }

    /// The reply to ``Limits`` (OpenSSH PROTOCOL §4.8). A zero field means the server sets no limit of
    /// its own.
    public struct LimitsReply: SFTPExtendedReplyPayload {
        /// `max-packet-length`: the most bytes in one packet (OpenSSH counts the length field; servers
        /// SHOULD allow at least 34000).
        public var maximumPacketLength: UInt64
        /// `max-read-length`: the largest `len` of `SSH_FXP_READ` the server honours in full (at least
        /// 32768).
        public var maximumReadLength: UInt64
        /// `max-write-length`: the largest data of `SSH_FXP_WRITE` the server accepts (at least 32768).
        public var maximumWriteLength: UInt64
        /// `max-open-handles`: the most handles open at once.
        public var maximumOpenHandles: UInt64

        /// Creates the payload from its fields.
        public init(
            maximumPacketLength: UInt64,
            maximumReadLength: UInt64,
            maximumWriteLength: UInt64,
            maximumOpenHandles: UInt64
        ) {
            self.maximumPacketLength = maximumPacketLength
            self.maximumReadLength = maximumReadLength
            self.maximumWriteLength = maximumWriteLength
            self.maximumOpenHandles = maximumOpenHandles
        }

        public static func read(from payload: inout ByteBuffer) -> LimitsReply? {
            guard
                let (packet, read, write, handles) = payload.readMultipleIntegers(
                    as: (UInt64, UInt64, UInt64, UInt64).self
                )
            else { return nil }
            return LimitsReply(
                maximumPacketLength: packet,
                maximumReadLength: read,
                maximumWriteLength: write,
                maximumOpenHandles: handles
            )
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeMultipleIntegers(
                self.maximumPacketLength,
                self.maximumReadLength,
                self.maximumWriteLength,
                self.maximumOpenHandles
            )
        }
    }
}

import NIOCore

// draft-ietf-secsh-filexfer-02 §7 and §8: the data, attributes and extended responses.

extension SFTPResponse {
    /// `SSH_FXP_DATA` (§7): bytes read by `SSH_FXP_READ`, at most the number requested.
    ///
    /// When decoded, `data` is a slice of the packet buffer: no bytes are copied, and the slice keeps
    /// that buffer's storage alive until it is released.
    public struct Data: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// The bytes read (the buffer's readable bytes).
        public var data: ByteBuffer

        /// Creates the message from its fields.
        public init(requestID: UInt32, data: ByteBuffer) {
            self.requestID = requestID
            self.data = data
        }
    }

    /// `SSH_FXP_ATTRS` (§7): the attributes `STAT`, `LSTAT` or `FSTAT` asked for.
    public struct Attributes: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// The file's attributes.
        public var attributes: SFTPFileAttributes

        /// Creates the message from its fields.
        public init(requestID: UInt32, attributes: SFTPFileAttributes) {
            self.requestID = requestID
            self.attributes = attributes
        }
    }

    /// `SSH_FXP_EXTENDED_REPLY` (§8): extension-specific data answering an `SSH_FXP_EXTENDED`.
    ///
    /// The packet does not say which extension it answers; the client knows from the request id.
    /// Decode the payload with ``decode(_:)``, for example as ``SFTPExtensions/StatVFSReply``.
    public struct ExtendedReply: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// Everything after the request id.
        public var payload: ByteBuffer

        /// Creates the message from its fields.
        public init(requestID: UInt32, payload: ByteBuffer = ByteBuffer()) {
            self.requestID = requestID
            self.payload = payload
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPData(requestID: UInt32) -> SFTPResponse.Data? {
        self.readSFTPString().map { .init(requestID: requestID, data: $0) }
    }

    /// Writes everything up to and including the data's length; the caller writes the data itself.
    mutating func writeSFTPDataHeader(_ message: SFTPResponse.Data) {
        self.writeMultipleIntegers(message.requestID, UInt32(truncatingIfNeeded: message.data.readableBytes))
    }

    mutating func readSFTPAttributesResponse(requestID: UInt32) -> SFTPResponse.Attributes? {
        self.readAttributes().map { .init(requestID: requestID, attributes: $0) }
    }

    mutating func writeSFTPAttributesResponse(_ message: SFTPResponse.Attributes) {
        self.writeInteger(message.requestID)
        self.writeSFTPFileAttributes(message.attributes)
    }

    mutating func readSFTPExtendedReply(requestID: UInt32) -> SFTPResponse.ExtendedReply {
        .init(requestID: requestID, payload: self.readSlice(length: self.readableBytes)!)
    }

    mutating func writeSFTPExtendedReply(_ message: SFTPResponse.ExtendedReply) {
        self.writeInteger(message.requestID)
        self.writeImmutableBuffer(message.payload)
    }
}

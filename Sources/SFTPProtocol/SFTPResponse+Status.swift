import NIOCore

// draft-ietf-secsh-filexfer-02 §7: the status and handle responses.

extension SFTPResponse {
    /// `SSH_FXP_STATUS` (§7): the outcome of a request that returns no data, or the failure of any
    /// request.
    ///
    /// Version 3 added the message and language tag; when a peer omits them, they decode as empty
    /// strings, and they are always encoded.
    public struct Status: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// The outcome; anything but ``SFTPStatusCode/ok`` is a failure.
        public var code: SFTPStatusCode
        /// A human-readable message (UTF-8; invalid bytes are replaced when decoding).
        public var message: String
        /// The message's language tag (RFC 1766); OpenSSH sends an empty one.
        public var languageTag: String

        /// A status; the message defaults to the text OpenSSH uses for the code.
        public init(requestID: UInt32, code: SFTPStatusCode, message: String? = nil, languageTag: String = "") {
            self.requestID = requestID
            self.code = code
            self.message = message ?? code.defaultMessage
            self.languageTag = languageTag
        }
    }

    /// `SSH_FXP_HANDLE` (§7): the handle an `OPEN` or `OPENDIR` created.
    public struct Handle: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// The new handle, opaque to the client (at most 256 bytes).
        public var handle: SFTPHandle

        /// Creates the message from its fields.
        public init(requestID: UInt32, handle: SFTPHandle) {
            self.requestID = requestID
            self.handle = handle
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPStatus(requestID: UInt32) -> SFTPResponse.Status? {
        guard let code = self.readInteger(as: UInt32.self) else { return nil }
        // Version 2 peers end the packet after the code; a message without a tag is accepted too.
        let message = self.readableBytes > 0 ? self.readSFTPText() : ""
        guard let message else { return nil }
        let languageTag = self.readableBytes > 0 ? self.readSFTPText() : ""
        guard let languageTag else { return nil }
        return .init(
            requestID: requestID,
            code: SFTPStatusCode(rawValue: code),
            message: message,
            languageTag: languageTag
        )
    }

    mutating func writeSFTPStatus(_ message: SFTPResponse.Status) {
        self.writeMultipleIntegers(message.requestID, message.code.rawValue)
        self.writeSFTPString(message.message)
        self.writeSFTPString(message.languageTag)
    }

    mutating func readSFTPHandleResponse(requestID: UInt32) -> SFTPResponse.Handle? {
        self.readSFTPHandle().map { .init(requestID: requestID, handle: $0) }
    }

    mutating func writeSFTPHandleResponse(_ message: SFTPResponse.Handle) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
    }
}

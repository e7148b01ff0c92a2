import NIOCore

// draft-ietf-secsh-filexfer-02 §6.3 and §6.4: opening, closing, reading and writing files.

extension SFTPRequest {
    /// `SSH_FXP_OPEN` (§6.3): open or create a file. Answered by `SSH_FXP_HANDLE` or `SSH_FXP_STATUS`.
    public struct Open: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The file to open.
        public var filename: SFTPPath
        /// How to open it (`pflags`).
        public var flags: SFTPOpenFlags
        /// Initial attributes for a file the request creates.
        public var attributes: SFTPFileAttributes

        /// Creates the message from its fields.
        public init(
            requestID: UInt32,
            filename: SFTPPath,
            flags: SFTPOpenFlags,
            attributes: SFTPFileAttributes = SFTPFileAttributes()
        ) {
            self.requestID = requestID
            self.filename = filename
            self.flags = flags
            self.attributes = attributes
        }
    }

    /// `SSH_FXP_CLOSE` (§6.3): close a file or directory handle. Answered by `SSH_FXP_STATUS`.
    public struct Close: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle

        /// Creates the message from its fields.
        public init(requestID: UInt32, handle: SFTPHandle) {
            self.requestID = requestID
            self.handle = handle
        }
    }

    /// `SSH_FXP_READ` (§6.4): read up to `length` bytes at `offset`. Answered by `SSH_FXP_DATA`, or
    /// `SSH_FXP_STATUS` (`SSH_FX_EOF` at end of file).
    public struct Read: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle
        /// Where to start, in bytes from the beginning of the file.
        public var offset: UInt64
        /// The most bytes to return (`len`).
        public var length: UInt32

        /// Creates the message from its fields.
        public init(requestID: UInt32, handle: SFTPHandle, offset: UInt64, length: UInt32) {
            self.requestID = requestID
            self.handle = handle
            self.offset = offset
            self.length = length
        }
    }

    /// `SSH_FXP_WRITE` (§6.4): write `data` at `offset`. Answered by `SSH_FXP_STATUS`.
    ///
    /// When decoded, `data` is a slice of the packet buffer: no bytes are copied, and the slice keeps
    /// that buffer's storage alive until it is released.
    public struct Write: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle
        /// Where to start, in bytes from the beginning of the file.
        public var offset: UInt64
        /// The bytes to write (the buffer's readable bytes).
        public var data: ByteBuffer

        /// Creates the message from its fields.
        public init(requestID: UInt32, handle: SFTPHandle, offset: UInt64, data: ByteBuffer) {
            self.requestID = requestID
            self.handle = handle
            self.offset = offset
            self.data = data
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPOpen(requestID: UInt32) -> SFTPRequest.Open? {
        guard let filename = self.readSFTPPath(), let flags = self.readInteger(as: UInt32.self),
            let attributes = self.readAttributes()
        else { return nil }
        return .init(
            requestID: requestID,
            filename: filename,
            flags: SFTPOpenFlags(rawValue: flags),
            attributes: attributes
        )
    }

    mutating func writeSFTPOpen(_ message: SFTPRequest.Open) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.filename)
        self.writeInteger(message.flags.rawValue)
        self.writeSFTPFileAttributes(message.attributes)
    }

    mutating func readSFTPClose(requestID: UInt32) -> SFTPRequest.Close? {
        self.readSFTPHandle().map { .init(requestID: requestID, handle: $0) }
    }

    mutating func writeSFTPClose(_ message: SFTPRequest.Close) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
    }

    mutating func readSFTPRead(requestID: UInt32) -> SFTPRequest.Read? {
        guard let handle = self.readSFTPHandle(),
            let (offset, length) = self.readMultipleIntegers(as: (UInt64, UInt32).self)
        else { return nil }
        return .init(requestID: requestID, handle: handle, offset: offset, length: length)
    }

    mutating func writeSFTPRead(_ message: SFTPRequest.Read) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
        self.writeMultipleIntegers(message.offset, message.length)
    }

    mutating func readSFTPWrite(requestID: UInt32) -> SFTPRequest.Write? {
        guard let handle = self.readSFTPHandle(), let offset = self.readInteger(as: UInt64.self),
            let data = self.readSFTPString()
        else { return nil }
        return .init(requestID: requestID, handle: handle, offset: offset, data: data)
    }

    /// Writes everything up to and including the data's length; the caller writes the data itself.
    mutating func writeSFTPWriteHeader(_ message: SFTPRequest.Write) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
        self.writeInteger(message.offset)
        self.writeInteger(UInt32(truncatingIfNeeded: message.data.readableBytes))
    }
}

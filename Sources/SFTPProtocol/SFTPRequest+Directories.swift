import NIOCore

// draft-ietf-secsh-filexfer-02 §6.6 and §6.7: creating, deleting and scanning directories.

extension SFTPRequest {
    /// `SSH_FXP_OPENDIR` (§6.7): open a directory for listing. Answered by `SSH_FXP_HANDLE` or
    /// `SSH_FXP_STATUS`.
    public struct OpenDir: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The directory, without a trailing slash.
        public var path: SFTPPath

        /// Creates the message from its fields.
        public init(requestID: UInt32, path: SFTPPath) {
            self.requestID = requestID
            self.path = path
        }
    }

    /// `SSH_FXP_READDIR` (§6.7): the next names of an open directory. Answered by `SSH_FXP_NAME`, or
    /// `SSH_FXP_STATUS` (`SSH_FX_EOF` when there are no more).
    public struct ReadDir: Hashable, Sendable {
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

    /// `SSH_FXP_MKDIR` (§6.6): create a directory with the given attributes. Answered by
    /// `SSH_FXP_STATUS`.
    public struct MakeDirectory: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The path the request names (§6.2).
        public var path: SFTPPath
        /// The attributes to set; absent fields are left unchanged or take defaults (§5).
        public var attributes: SFTPFileAttributes

        /// Creates the message from its fields.
        public init(requestID: UInt32, path: SFTPPath, attributes: SFTPFileAttributes = SFTPFileAttributes()) {
            self.requestID = requestID
            self.path = path
            self.attributes = attributes
        }
    }

    /// `SSH_FXP_RMDIR` (§6.6): remove an empty directory. Answered by `SSH_FXP_STATUS`.
    public struct RemoveDirectory: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The path the request names (§6.2).
        public var path: SFTPPath

        /// Creates the message from its fields.
        public init(requestID: UInt32, path: SFTPPath) {
            self.requestID = requestID
            self.path = path
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPOpenDir(requestID: UInt32) -> SFTPRequest.OpenDir? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPOpenDir(_ message: SFTPRequest.OpenDir) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }

    mutating func readSFTPReadDir(requestID: UInt32) -> SFTPRequest.ReadDir? {
        self.readSFTPHandle().map { .init(requestID: requestID, handle: $0) }
    }

    mutating func writeSFTPReadDir(_ message: SFTPRequest.ReadDir) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
    }

    mutating func readSFTPMakeDirectory(requestID: UInt32) -> SFTPRequest.MakeDirectory? {
        guard let path = self.readSFTPPath(), let attributes = self.readAttributes() else { return nil }
        return .init(requestID: requestID, path: path, attributes: attributes)
    }

    mutating func writeSFTPMakeDirectory(_ message: SFTPRequest.MakeDirectory) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
        self.writeSFTPFileAttributes(message.attributes)
    }

    mutating func readSFTPRemoveDirectory(requestID: UInt32) -> SFTPRequest.RemoveDirectory? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPRemoveDirectory(_ message: SFTPRequest.RemoveDirectory) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }
}

import NIOCore

// draft-ietf-secsh-filexfer-02 §6.8 and §6.9: retrieving and setting file attributes.

extension SFTPRequest {
    /// `SSH_FXP_STAT` (§6.8): attributes of `path`, following symbolic links. Answered by
    /// `SSH_FXP_ATTRS` or `SSH_FXP_STATUS`.
    public struct Stat: Hashable, Sendable {
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

    /// `SSH_FXP_LSTAT` (§6.8): attributes of `path` itself, not following a symbolic link. Answered
    /// by `SSH_FXP_ATTRS` or `SSH_FXP_STATUS`.
    public struct LStat: Hashable, Sendable {
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

    /// `SSH_FXP_FSTAT` (§6.8): attributes of an open file. Answered by `SSH_FXP_ATTRS` or
    /// `SSH_FXP_STATUS`.
    public struct FStat: Hashable, Sendable {
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

    /// `SSH_FXP_SETSTAT` (§6.9): change the attributes present in `attributes` (size truncates or
    /// extends). Answered by `SSH_FXP_STATUS`.
    public struct SetStat: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The path the request names (§6.2).
        public var path: SFTPPath
        /// The attributes to set; absent fields are left unchanged or take defaults (§5).
        public var attributes: SFTPFileAttributes

        /// Creates the message from its fields.
        public init(requestID: UInt32, path: SFTPPath, attributes: SFTPFileAttributes) {
            self.requestID = requestID
            self.path = path
            self.attributes = attributes
        }
    }

    /// `SSH_FXP_FSETSTAT` (§6.9): `SETSTAT` on an open file. Answered by `SSH_FXP_STATUS`.
    public struct FSetStat: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle
        /// The attributes to set; absent fields are left unchanged or take defaults (§5).
        public var attributes: SFTPFileAttributes

        /// Creates the message from its fields.
        public init(requestID: UInt32, handle: SFTPHandle, attributes: SFTPFileAttributes) {
            self.requestID = requestID
            self.handle = handle
            self.attributes = attributes
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPStat(requestID: UInt32) -> SFTPRequest.Stat? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPStat(_ message: SFTPRequest.Stat) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }

    mutating func readSFTPLStat(requestID: UInt32) -> SFTPRequest.LStat? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPLStat(_ message: SFTPRequest.LStat) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }

    mutating func readSFTPFStat(requestID: UInt32) -> SFTPRequest.FStat? {
        self.readSFTPHandle().map { .init(requestID: requestID, handle: $0) }
    }

    mutating func writeSFTPFStat(_ message: SFTPRequest.FStat) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
    }

    mutating func readSFTPSetStat(requestID: UInt32) -> SFTPRequest.SetStat? {
        guard let path = self.readSFTPPath(), let attributes = self.readAttributes() else { return nil }
        return .init(requestID: requestID, path: path, attributes: attributes)
    }

    mutating func writeSFTPSetStat(_ message: SFTPRequest.SetStat) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
        self.writeSFTPFileAttributes(message.attributes)
    }

    mutating func readSFTPFSetStat(requestID: UInt32) -> SFTPRequest.FSetStat? {
        guard let handle = self.readSFTPHandle(), let attributes = self.readAttributes() else { return nil }
        return .init(requestID: requestID, handle: handle, attributes: attributes)
    }

    mutating func writeSFTPFSetStat(_ message: SFTPRequest.FSetStat) {
        self.writeInteger(message.requestID)
        self.writeSFTPHandle(message.handle)
        self.writeSFTPFileAttributes(message.attributes)
    }
}

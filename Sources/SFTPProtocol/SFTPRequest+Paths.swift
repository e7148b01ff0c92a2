import NIOCore

// draft-ietf-secsh-filexfer-02 §6.5, §6.10 and §6.11: removing and renaming files, symbolic links,
// and canonical paths; OpenSSH PROTOCOL §4.1 for the order of SSH_FXP_SYMLINK's arguments.

extension SFTPRequest {
    /// `SSH_FXP_REMOVE` (§6.5): remove a file (not a directory). Answered by `SSH_FXP_STATUS`.
    public struct Remove: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The file the request names (§6.2).
        public var filename: SFTPPath

        /// Creates the message from its fields.
        public init(requestID: UInt32, filename: SFTPPath) {
            self.requestID = requestID
            self.filename = filename
        }
    }

    /// `SSH_FXP_RENAME` (§6.5): rename `oldPath` to `newPath`, failing if `newPath` exists (see
    /// `posix-rename@openssh.com` for replacing semantics). Answered by `SSH_FXP_STATUS`.
    public struct Rename: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// The existing name.
        public var oldPath: SFTPPath
        /// The name to give it.
        public var newPath: SFTPPath

        /// Creates the message from its fields.
        public init(requestID: UInt32, oldPath: SFTPPath, newPath: SFTPPath) {
            self.requestID = requestID
            self.oldPath = oldPath
            self.newPath = newPath
        }
    }

    /// `SSH_FXP_REALPATH` (§6.11): canonicalise a path to an absolute one. Answered by `SSH_FXP_NAME`
    /// with one name, or `SSH_FXP_STATUS`.
    public struct RealPath: Hashable, Sendable {
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

    /// `SSH_FXP_READLINK` (§6.10): the target of a symbolic link. Answered by `SSH_FXP_NAME` with one
    /// name, or `SSH_FXP_STATUS`.
    public struct ReadLink: Hashable, Sendable {
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

    /// `SSH_FXP_SYMLINK` (§6.10): create the symbolic link `linkPath` pointing at `targetPath`.
    /// Answered by `SSH_FXP_STATUS`.
    ///
    /// The draft lists `linkpath` first and `targetpath` second, but OpenSSH's `sftp-server` has always
    /// read them the other way round and its `sftp` client sends them that way (OpenSSH PROTOCOL §4.1).
    /// Every widely deployed peer follows OpenSSH, so this codec encodes and decodes OpenSSH's order:
    ///
    ///     uint32  id
    ///     string  targetpath   (what the new link points at)
    ///     string  linkpath     (the link to create)
    public struct Symlink: Hashable, Sendable {
        /// The request id, chosen by the client and echoed in the response (§6).
        public var requestID: UInt32
        /// What the new link points at (may be relative to the link's directory); first on the wire.
        public var targetPath: SFTPPath
        /// The path of the symbolic link to create; second on the wire.
        public var linkPath: SFTPPath

        /// Creates the message from its fields.
        public init(requestID: UInt32, targetPath: SFTPPath, linkPath: SFTPPath) {
            self.requestID = requestID
            self.targetPath = targetPath
            self.linkPath = linkPath
        }
    }
}

extension ByteBuffer {
    mutating func readSFTPRemove(requestID: UInt32) -> SFTPRequest.Remove? {
        self.readSFTPPath().map { .init(requestID: requestID, filename: $0) }
    }

    mutating func writeSFTPRemove(_ message: SFTPRequest.Remove) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.filename)
    }

    mutating func readSFTPRename(requestID: UInt32) -> SFTPRequest.Rename? {
        guard let oldPath = self.readSFTPPath(), let newPath = self.readSFTPPath() else { return nil }
        return .init(requestID: requestID, oldPath: oldPath, newPath: newPath)
    }

    mutating func writeSFTPRename(_ message: SFTPRequest.Rename) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.oldPath)
        self.writeSFTPPath(message.newPath)
    }

    mutating func readSFTPRealPath(requestID: UInt32) -> SFTPRequest.RealPath? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPRealPath(_ message: SFTPRequest.RealPath) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }

    mutating func readSFTPReadLink(requestID: UInt32) -> SFTPRequest.ReadLink? {
        self.readSFTPPath().map { .init(requestID: requestID, path: $0) }
    }

    mutating func writeSFTPReadLink(_ message: SFTPRequest.ReadLink) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.path)
    }

    mutating func readSFTPSymlink(requestID: UInt32) -> SFTPRequest.Symlink? {
        // OpenSSH PROTOCOL §4.1: target first, then the link.
        guard let targetPath = self.readSFTPPath(), let linkPath = self.readSFTPPath() else { return nil }
        return .init(requestID: requestID, targetPath: targetPath, linkPath: linkPath)
    }

    mutating func writeSFTPSymlink(_ message: SFTPRequest.Symlink) {
        self.writeInteger(message.requestID)
        self.writeSFTPPath(message.targetPath)
        self.writeSFTPPath(message.linkPath)
    }
}

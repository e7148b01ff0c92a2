import NIOCore

// OpenSSH PROTOCOL §4.3 (posix-rename), §4.5 (hardlink), §4.7 (lsetstat), §4.9 (expand-path) and
// §4.11 (home-directory): extensions that name files or users.

extension SFTPExtensions {
    /// `posix-rename@openssh.com` (OpenSSH PROTOCOL §4.3): `rename(2)` semantics, replacing an
    /// existing `newPath`, unlike `SSH_FXP_RENAME`. Answered by `SSH_FXP_STATUS`.
    public struct PosixRename: SFTPExtendedRequestPayload {
        public static let extensionName = "posix-rename@openssh.com"
        public static let extensionVersion = "1"

        /// The existing name.
        public var oldPath: SFTPPath
        /// The name to give it.
        public var newPath: SFTPPath

        /// Creates the payload from its fields.
        public init(oldPath: SFTPPath, newPath: SFTPPath) {
            self.oldPath = oldPath
            self.newPath = newPath
        }

        public static func read(from payload: inout ByteBuffer) -> PosixRename? {
            guard let oldPath = payload.readSFTPPath(), let newPath = payload.readSFTPPath() else { return nil }
            return PosixRename(oldPath: oldPath, newPath: newPath)
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPPath(self.oldPath)
            payload.writeSFTPPath(self.newPath)
        }
    }

    /// `hardlink@openssh.com` (OpenSSH PROTOCOL §4.5): `link(oldPath, newPath)`, making `newPath` a
    /// second name for the existing file `oldPath`. Answered by `SSH_FXP_STATUS`.
    public struct Hardlink: SFTPExtendedRequestPayload {
        public static let extensionName = "hardlink@openssh.com"
        public static let extensionVersion = "1"

        /// The existing file.
        public var oldPath: SFTPPath
        /// The new name to create.
        public var newPath: SFTPPath

        /// Creates the payload from its fields.
        public init(oldPath: SFTPPath, newPath: SFTPPath) {
            self.oldPath = oldPath
            self.newPath = newPath
        }

        public static func read(from payload: inout ByteBuffer) -> Hardlink? {
            guard let oldPath = payload.readSFTPPath(), let newPath = payload.readSFTPPath() else { return nil }
            return Hardlink(oldPath: oldPath, newPath: newPath)
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPPath(self.oldPath)
            payload.writeSFTPPath(self.newPath)
        }
    }

    /// `lsetstat@openssh.com` (OpenSSH PROTOCOL §4.7): `SSH_FXP_SETSTAT` that does not follow a final
    /// symbolic link. Answered by `SSH_FXP_STATUS`.
    public struct LSetStat: SFTPExtendedRequestPayload {
        public static let extensionName = "lsetstat@openssh.com"
        public static let extensionVersion = "1"

        /// The path the request names (§6.2).
        public var path: SFTPPath
        /// The attributes to set; absent fields are left unchanged or take defaults (§5).
        public var attributes: SFTPFileAttributes

        /// Creates the payload from its fields.
        public init(path: SFTPPath, attributes: SFTPFileAttributes) {
            self.path = path
            self.attributes = attributes
        }

        public static func read(from payload: inout ByteBuffer) -> LSetStat? {
            guard let path = payload.readSFTPPath(), let attributes = payload.readAttributes() else { return nil }
            return LSetStat(path: path, attributes: attributes)
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPPath(self.path)
            payload.writeSFTPFileAttributes(self.attributes)
        }
    }

    /// `expand-path@openssh.com` (OpenSSH PROTOCOL §4.9): like `SSH_FXP_REALPATH`, but also expands
    /// `~`, `~/…` and `~user/…`. Answered like `REALPATH`: `SSH_FXP_NAME` with one name, or
    /// `SSH_FXP_STATUS`.
    public struct ExpandPath: SFTPExtendedRequestPayload {
        public static let extensionName = "expand-path@openssh.com"
        public static let extensionVersion = "1"

        /// The path the request names (§6.2).
        public var path: SFTPPath

        /// Creates the payload from its fields.
        public init(path: SFTPPath) {
            self.path = path
        }

        public static func read(from payload: inout ByteBuffer) -> ExpandPath? {
            payload.readSFTPPath().map(ExpandPath.init(path:))
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPPath(self.path)
        }
    }

    /// `home-directory` (OpenSSH PROTOCOL §4.11, draft-ietf-secsh-filexfer-extensions-00 §5): the home
    /// directory of `username`, or of the current user when it is empty. Answered by `SSH_FXP_NAME`
    /// with one name, or `SSH_FXP_STATUS`.
    public struct HomeDirectory: SFTPExtendedRequestPayload {
        public static let extensionName = "home-directory"
        public static let extensionVersion = "1"

        /// The user whose home directory is wanted; empty for the current user.
        public var username: String

        /// Creates the payload from its fields.
        public init(username: String = "") {
            self.username = username
        }

        public static func read(from payload: inout ByteBuffer) -> HomeDirectory? {
            payload.readSFTPText().map(HomeDirectory.init(username:))
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPString(self.username)
        }
    }
}

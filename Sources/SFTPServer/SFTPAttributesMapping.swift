import FerryCore
import SFTPProtocol
import VFS

extension SFTPFileAttributes {
    /// The wire attributes of a storage entry: size, ownership when known, type and mode, and times.
    ///
    /// Times are whole seconds (version 3 carries no fractions) and clamp to the 32-bit range the protocol has.
    init(_ attributes: FileAttributes) {
        let type: SFTPPermissions.FileType
        switch attributes.kind {
        case .file: type = .regular
        case .directory: type = .directory
        case .symlink: type = .symbolicLink
        case .other: type = .regular
        }
        let defaultMode: UInt32 = attributes.kind == .directory ? 0o755 : 0o644
        let mode = attributes.permissions?.rawValue ?? defaultMode
        var ownership: Ownership?
        if attributes.uid != nil || attributes.gid != nil {
            ownership = Ownership(userID: attributes.uid ?? 0, groupID: attributes.gid ?? 0)
        }
        var times: Times?
        if let modified = attributes.modificationTime {
            let accessed = attributes.accessTime ?? modified
            times = Times(accessTime: Self.clamp(accessed), modificationTime: Self.clamp(modified))
        }
        self.init(
            size: attributes.size,
            ownership: ownership,
            permissions: SFTPPermissions(fileType: type, mode: mode),
            times: times
        )
    }

    private static func clamp(_ time: FileTimestamp) -> UInt32 {
        UInt32(clamping: max(time.seconds, 0))
    }

    /// The changes a `SETSTAT`, `FSETSTAT`, `LSETSTAT` or `MKDIR` asks for. File type bits in the
    /// permissions are ignored, as `chmod` ignores them.
    var changes: VFSAttributeChanges {
        VFSAttributeChanges(
            permissions: self.permissions.map { FilePermissions(rawValue: $0.mode) },
            uid: self.ownership?.userID,
            gid: self.ownership?.groupID,
            accessTime: self.times.map { FileTimestamp(seconds: Int64($0.accessTime)) },
            modificationTime: self.times.map { FileTimestamp(seconds: Int64($0.modificationTime)) },
            size: self.size
        )
    }
}

/// What a storage backend knows about one entry. Fields a backend cannot report are `nil`.
public struct FileAttributes: Sendable, Hashable {
    /// What the entry is. Attributes are those of the entry itself: a symbolic link reports ``FileKind/symlink``.
    public var kind: FileKind
    /// The size in bytes (for a symbolic link, the length of its target; for a directory, backend-defined).
    public var size: UInt64
    /// The permission bits, if the backend has them.
    public var permissions: FilePermissions?
    /// The numeric owner, if the backend has one.
    public var uid: UInt32?
    /// The numeric group, if the backend has one.
    public var gid: UInt32?
    /// The last modification time, if known.
    public var modificationTime: FileTimestamp?
    /// The last access time, if known.
    public var accessTime: FileTimestamp?
    /// For a symbolic link, its target as stored, if the backend read it.
    public var symlinkTarget: String?

    /// Creates attributes.
    ///
    /// - Parameters:
    ///   - kind: What the entry is.
    ///   - size: Its size in bytes.
    ///   - permissions: Its permission bits, if known.
    ///   - uid: Its numeric owner, if known.
    ///   - gid: Its numeric group, if known.
    ///   - modificationTime: Its last modification time, if known.
    ///   - accessTime: Its last access time, if known.
    ///   - symlinkTarget: For a symbolic link, its target, if known.
    public init(
        kind: FileKind,
        size: UInt64 = 0,
        permissions: FilePermissions? = nil,
        uid: UInt32? = nil,
        gid: UInt32? = nil,
        modificationTime: FileTimestamp? = nil,
        accessTime: FileTimestamp? = nil,
        symlinkTarget: String? = nil
    ) {
        self.kind = kind
        self.size = size
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.modificationTime = modificationTime
        self.accessTime = accessTime
        self.symlinkTarget = symlinkTarget
    }
}

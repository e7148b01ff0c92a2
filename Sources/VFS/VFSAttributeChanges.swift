import FerryCore

/// Attribute changes asked for in one request (SFTP `SETSTAT`, FTP `MFMT`); `nil` fields stay as they are.
public struct VFSAttributeChanges: Sendable, Hashable {
    /// New permission bits.
    public var permissions: FilePermissions?
    /// New numeric owner.
    public var uid: UInt32?
    /// New numeric group.
    public var gid: UInt32?
    /// New access time.
    public var accessTime: FileTimestamp?
    /// New modification time.
    public var modificationTime: FileTimestamp?
    /// New size, cutting or extending the file.
    public var size: UInt64?

    /// Creates a set of changes.
    ///
    /// - Parameters:
    ///   - permissions: New permission bits.
    ///   - uid: New owner.
    ///   - gid: New group.
    ///   - accessTime: New access time.
    ///   - modificationTime: New modification time.
    ///   - size: New size.
    public init(
        permissions: FilePermissions? = nil,
        uid: UInt32? = nil,
        gid: UInt32? = nil,
        accessTime: FileTimestamp? = nil,
        modificationTime: FileTimestamp? = nil,
        size: UInt64? = nil
    ) {
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.accessTime = accessTime
        self.modificationTime = modificationTime
        self.size = size
    }

    /// Whether nothing is asked for.
    public var isEmpty: Bool {
        self == VFSAttributeChanges()
    }
}

/// A set of ``VFSPermission``s.
public struct VFSPermissionSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16

    /// Creates a set from its bits.
    ///
    /// - Parameter rawValue: One bit per ``VFSPermission``, in declaration order.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// Creates a set holding one permission.
    ///
    /// - Parameter permission: The permission.
    public init(_ permission: VFSPermission) {
        let index = VFSPermission.allCases.firstIndex(of: permission)!
        self.init(rawValue: 1 << UInt16(index))
    }

    /// Creates a set holding the given permissions.
    ///
    /// - Parameter permissions: The permissions.
    public init(_ permissions: some Sequence<VFSPermission>) {
        self = permissions.reduce(into: []) { $0.insert(VFSPermissionSet($1)) }
    }

    /// Whether the set holds one permission.
    ///
    /// - Parameter permission: The permission.
    /// - Returns: `true` if it is allowed.
    public func allows(_ permission: VFSPermission) -> Bool {
        self.contains(VFSPermissionSet(permission))
    }

    /// See ``VFSPermission/list``.
    public static let list = VFSPermissionSet(.list)
    /// See ``VFSPermission/download``.
    public static let download = VFSPermissionSet(.download)
    /// See ``VFSPermission/upload``.
    public static let upload = VFSPermissionSet(.upload)
    /// See ``VFSPermission/overwrite``.
    public static let overwrite = VFSPermissionSet(.overwrite)
    /// See ``VFSPermission/delete``.
    public static let delete = VFSPermissionSet(.delete)
    /// See ``VFSPermission/rename``.
    public static let rename = VFSPermissionSet(.rename)
    /// See ``VFSPermission/createDirectories``.
    public static let createDirectories = VFSPermissionSet(.createDirectories)
    /// See ``VFSPermission/removeDirectories``.
    public static let removeDirectories = VFSPermissionSet(.removeDirectories)
    /// See ``VFSPermission/setAttributes``.
    public static let setAttributes = VFSPermissionSet(.setAttributes)
    /// See ``VFSPermission/symlink``.
    public static let symlink = VFSPermissionSet(.symlink)

    /// Nothing at all.
    public static let none: VFSPermissionSet = []
    /// List and download only.
    public static let readOnly: VFSPermissionSet = [.list, .download]
    /// Everything.
    public static let all = VFSPermissionSet(VFSPermission.allCases)

    /// Access in the coarse read/write terms of object-store gateways.
    public enum Access: Sendable, Hashable {
        /// `R`: list and download.
        case read
        /// `W`: upload, overwrite, rename, create directories and set attributes, but not list or download.
        case write
        /// `RW`: both.
        case readWrite
    }

    /// Builds a set from coarse read/write access plus a separate switch for deletion.
    ///
    /// - Parameters:
    ///   - access: `R`, `W` or `RW`.
    ///   - delete: Whether files and directories may also be removed.
    /// - Returns: The matching set; symbolic links are never included.
    public static func access(_ access: Access, delete: Bool) -> VFSPermissionSet {
        let read: VFSPermissionSet = .readOnly
        let write: VFSPermissionSet = [.upload, .overwrite, .rename, .createDirectories, .setAttributes]
        var result: VFSPermissionSet
        switch access {
        case .read: result = read
        case .write: result = write
        case .readWrite: result = read.union(write)
        }
        if delete {
            result.formUnion([.delete, .removeDirectories])
        }
        return result
    }
}

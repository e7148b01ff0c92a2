import FerryCore

/// What one user may do where: a permission set per path prefix, the longest matching prefix winning.
///
/// Every VFS operation asks ``check(_:path:)`` before it touches storage; there is no other permission logic.
public struct VFSPermissions: Sendable, Hashable {
    /// The sets by the user-visible path they apply to (that path and everything below it); always has `/`.
    public private(set) var rules: [FerryPath: VFSPermissionSet]

    /// Creates permissions.
    ///
    /// - Parameters:
    ///   - defaultPermissions: What applies everywhere no rule says otherwise.
    ///   - rules: Sets for particular subtrees; a rule for `/` replaces `defaultPermissions`.
    public init(_ defaultPermissions: VFSPermissionSet, rules: [FerryPath: VFSPermissionSet] = [:]) {
        self.rules = rules
        if self.rules[.root] == nil {
            self.rules[.root] = defaultPermissions
        }
    }

    /// Everything, everywhere.
    public static let all = VFSPermissions(.all)
    /// List and download, everywhere.
    public static let readOnly = VFSPermissions(.readOnly)

    /// Sets the permissions of a subtree.
    ///
    /// - Parameters:
    ///   - permissions: The set.
    ///   - path: The subtree's root.
    public mutating func set(_ permissions: VFSPermissionSet, for path: FerryPath) {
        self.rules[path] = permissions
    }

    /// The set that applies at `path`: the rule of the longest prefix.
    ///
    /// - Parameter path: A user-visible path.
    /// - Returns: The permissions there.
    public func permissions(at path: FerryPath) -> VFSPermissionSet {
        var current: FerryPath? = path
        while let candidate = current {
            if let set = self.rules[candidate] {
                return set
            }
            current = candidate.parent
        }
        return self.rules[.root] ?? .none
    }

    /// Fails unless `permission` is granted at `path`.
    ///
    /// - Parameters:
    ///   - permission: What the operation needs.
    ///   - path: Where it happens.
    /// - Throws: ``VFSError`` with code ``VFSError/Code/permissionDenied`` naming the permission and the path.
    public func check(_ permission: VFSPermission, path: FerryPath) throws {
        guard self.permissions(at: path).allows(permission) else {
            throw VFSError(.permissionDenied, "permission '\(permission)' is not granted at \(path)")
        }
    }
}

import FerryCore
import Storage

extension VFSSession {
    /// Creates a symbolic link. Needs ``VFSPermission/symlink`` at the link.
    ///
    /// A relative target may not climb above the link's mount point, so a link can never lead into the parts of
    /// the backend outside the user's mount; absolute targets are stored but backends never follow them.
    ///
    /// - Parameters:
    ///   - path: Where the link goes (a user path).
    ///   - target: What it points to, as stored.
    /// - Throws: ``VFSError`` (`unsupported` without link support, `permissionDenied` for a climbing target,
    ///   `alreadyExists`…).
    public func symlink(at path: FerryPath, target: String) async throws {
        try self.permissions.check(.symlink, path: path)
        let resolved = self.mounts.resolve(path)
        guard let links = resolved.storage as? any Symlinking else {
            throw VFSError(.unsupported, "the storage behind \(path) has no symbolic links")
        }
        if !target.hasPrefix("/") {
            var depth = (path.parent?.removingPrefix(resolved.mountPoint)?.depth) ?? 0
            for name in target.split(separator: "/", omittingEmptySubsequences: true) {
                if name == "." { continue }
                depth += name == ".." ? -1 : 1
                if depth < 0 {
                    throw VFSError(.permissionDenied, "the link target \(target) leaves \(resolved.mountPoint)")
                }
            }
        }
        try await translatingErrors { try await links.createSymlink(at: resolved.storagePath, target: target) }
    }

    /// Returns a symbolic link's target. Needs ``VFSPermission/list`` on its directory.
    ///
    /// - Parameter path: The link's user path.
    /// - Returns: The target as stored.
    /// - Throws: ``VFSError`` (`unsupported` without link support, `invalidArgument` for a non-link…).
    public func readSymlink(_ path: FerryPath) async throws -> String {
        try self.permissions.check(.list, path: path.parent ?? path)
        let resolved = self.mounts.resolve(path)
        guard let links = resolved.storage as? any Symlinking else {
            throw VFSError(.unsupported, "the storage behind \(path) has no symbolic links")
        }
        return try await translatingErrors { try await links.readSymlink(resolved.storagePath) }
    }
}

extension VFSSession {
    /// Creates a hard link: a second name for an existing file. Needs ``VFSPermission/symlink`` at the new name
    /// and ``VFSPermission/download`` on the file, and both names in the same mount.
    ///
    /// - Parameters:
    ///   - path: The new name (a user path).
    ///   - existing: The file it names.
    /// - Throws: ``VFSError`` (`unsupported` without hard links or across mounts, `alreadyExists`…).
    public func hardLink(at path: FerryPath, to existing: FerryPath) async throws {
        try self.permissions.check(.symlink, path: path)
        try self.permissions.check(.download, path: existing)
        let link = self.mounts.resolve(path)
        let source = self.mounts.resolve(existing)
        guard link.mountPoint == source.mountPoint else {
            throw VFSError(.unsupported, "\(path) and \(existing) are on different mounts")
        }
        guard let links = link.storage as? any HardLinking else {
            throw VFSError(.unsupported, "the storage behind \(path) has no hard links")
        }
        try await translatingErrors { try await links.createHardLink(at: link.storagePath, to: source.storagePath) }
    }
}

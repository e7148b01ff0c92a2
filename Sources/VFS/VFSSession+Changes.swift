import FerryCore
import Storage

extension VFSSession {
    /// Removes a file or a symbolic link. Needs ``VFSPermission/delete``.
    ///
    /// - Parameter path: A user path.
    /// - Throws: ``VFSError`` (`noSuchFile`, `isADirectory`, `permissionDenied` for a mount point…).
    public func remove(_ path: FerryPath) async throws {
        try self.permissions.check(.delete, path: path)
        try self.refuseMountPoint(path, "removed")
        let resolved = self.mounts.resolve(path)
        try await translatingErrors { try await resolved.storage.removeFile(resolved.storagePath) }
        await self.emit(.removed(path: path))
    }

    /// Creates a directory. Needs ``VFSPermission/createDirectories``.
    ///
    /// - Parameter path: A user path.
    /// - Throws: ``VFSError`` (`alreadyExists`, `noSuchFile` for a missing parent…).
    public func makeDirectory(_ path: FerryPath) async throws {
        try self.permissions.check(.createDirectories, path: path)
        if self.mounts.holdsMountPoint(path) {
            throw VFSError(.alreadyExists, "\(path) already exists")
        }
        let resolved = self.mounts.resolve(path)
        try await translatingErrors { try await resolved.storage.makeDirectory(resolved.storagePath) }
        await self.emit(.directoryCreated(path: path))
    }

    /// Removes an empty directory. Needs ``VFSPermission/removeDirectories``.
    ///
    /// - Parameter path: A user path.
    /// - Throws: ``VFSError`` (`directoryNotEmpty`, `notADirectory`, `permissionDenied` for a mount point…).
    public func removeDirectory(_ path: FerryPath) async throws {
        try self.permissions.check(.removeDirectories, path: path)
        try self.refuseMountPoint(path, "removed")
        let resolved = self.mounts.resolve(path)
        try await translatingErrors { try await resolved.storage.removeDirectory(resolved.storagePath) }
        await self.emit(.directoryRemoved(path: path))
    }

    /// Renames an entry within one mount. Needs ``VFSPermission/rename`` at both paths, and
    /// ``VFSPermission/overwrite`` at the destination when an entry there would be replaced.
    ///
    /// - Parameters:
    ///   - source: The entry's user path.
    ///   - destination: Its new user path.
    ///   - noReplace: Fail with `alreadyExists` instead of replacing an existing destination.
    /// - Throws: ``VFSError`` (`unsupported` across mounts or on a backend without server-side moves,
    ///   `alreadyExists`, `noSuchFile`…).
    public func rename(_ source: FerryPath, to destination: FerryPath, noReplace: Bool = false) async throws {
        try self.permissions.check(.rename, path: source)
        try self.permissions.check(.rename, path: destination)
        try self.refuseMountPoint(source, "renamed")
        try self.refuseMountPoint(destination, "replaced")
        let from = self.mounts.resolve(source)
        let to = self.mounts.resolve(destination)
        guard from.mountPoint == to.mountPoint else {
            throw VFSError(.unsupported, "\(source) and \(destination) are on different mounts")
        }
        if !noReplace, try await self.existingKind(destination) != nil {
            try self.permissions.check(.overwrite, path: destination)
        }
        let policy: DestinationConflictPolicy = noReplace ? .fail : .replace
        if let mover = from.storage as? any ServerSideMoving {
            try await translatingErrors { try await mover.move(from.storagePath, to: to.storagePath, ifExists: policy) }
        } else if let copier = from.storage as? any ServerSideCopying {
            // Object stores rename a file as copy-then-delete. The copy is complete before the source goes, so a
            // failure in between leaves both names rather than neither. Directories cannot be renamed this way.
            let kind = try await self.existingKind(source)
            guard kind != .directory else {
                throw VFSError(.unsupported, "the storage behind \(source) cannot rename directories")
            }
            try await translatingErrors {
                try await copier.copy(from.storagePath, to: to.storagePath, ifExists: policy)
                try await from.storage.removeFile(from.storagePath)
            }
        } else {
            throw VFSError(.unsupported, "the storage behind \(source) cannot rename")
        }
        await self.emit(.renamed(from: source, to: destination))
    }

    func refuseMountPoint(_ path: FerryPath, _ verb: String) throws {
        if self.mounts.holdsMountPoint(path) {
            throw VFSError(.permissionDenied, "\(path) is or holds a mount point and cannot be \(verb)")
        }
    }
}

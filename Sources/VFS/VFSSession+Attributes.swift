import FerryCore
import Storage

extension VFSSession {
    /// Changes attributes. Needs ``VFSPermission/setAttributes``; a new size is also held to
    /// ``VFSLimits/maximumFileSize``.
    ///
    /// - Parameters:
    ///   - path: A user path.
    ///   - changes: What to change; an empty set does nothing.
    /// - Throws: ``VFSError`` (`unsupported` on a backend without attribute changes, `fileTooLarge`…).
    public func setAttributes(_ path: FerryPath, _ changes: VFSAttributeChanges) async throws {
        try self.permissions.check(.setAttributes, path: path)
        guard !changes.isEmpty else { return }
        if let size = changes.size, let maximum = self.limits.maximumFileSize, size > maximum {
            throw VFSError(.fileTooLarge, "\(path) may not exceed \(maximum) bytes")
        }
        try await self.applyAttributes(changes, at: self.mounts.resolve(path))
    }

    /// Applies attribute changes in the backend, without checking permissions.
    func applyAttributes(_ changes: VFSAttributeChanges, at resolved: VFSResolvedPath) async throws {
        guard let setter = resolved.storage as? any AttributeSetting else {
            throw VFSError(.unsupported, "the storage behind \(resolved.mountPoint) cannot change attributes")
        }
        let target = resolved.storagePath
        try await translatingErrors {
            if let size = changes.size {
                try await setter.truncate(target, to: size)
            }
            if let permissions = changes.permissions {
                try await setter.setPermissions(target, to: permissions)
            }
            if changes.uid != nil || changes.gid != nil {
                try await setter.setOwner(target, uid: changes.uid, gid: changes.gid)
            }
            if changes.accessTime != nil || changes.modificationTime != nil {
                try await setter.setTimes(
                    target,
                    accessTime: changes.accessTime,
                    modificationTime: changes.modificationTime
                )
            }
        }
    }

    /// Reports the space of the storage behind a path. Needs ``VFSPermission/list`` there.
    ///
    /// - Parameter path: A user path.
    /// - Returns: The report.
    /// - Throws: ``VFSError`` (`unsupported` on a backend without space reports…).
    public func spaceReport(for path: FerryPath) async throws -> SpaceReport {
        try self.permissions.check(.list, path: path)
        let resolved = self.mounts.resolve(path)
        guard let reporter = resolved.storage as? any SpaceReporting else {
            throw VFSError(.unsupported, "the storage behind \(path) cannot report space")
        }
        return try await translatingErrors { try await reporter.spaceReport(for: resolved.storagePath) }
    }
}

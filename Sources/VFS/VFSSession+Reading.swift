import FerryCore
import NIOCore
import Storage

extension VFSSession {
    /// Opens a file for reading. Needs ``VFSPermission/download``.
    ///
    /// - Parameter path: A user path; a final symbolic link is followed inside the backend.
    /// - Returns: The handle.
    /// - Throws: ``VFSError`` (`noSuchFile`, `isADirectory`, `tooManyHandles`…).
    public func openForReading(_ path: FerryPath) async throws -> VFSHandle {
        try self.permissions.check(.download, path: path)
        guard !self.mounts.holdsMountPoint(path) else {
            throw VFSError(.isADirectory, "\(path) is a directory")
        }
        return try await self.openHandle {
            let resolved = self.mounts.resolve(path)
            var file = VFSReadingFile(path: path, resolved: resolved, opened: .now)
            if let opener = resolved.storage as? any ReadHandleOpening {
                // One open file for the whole download: it sees one version even if the name is replaced. Opening
                // it refuses directories and missing files, so no separate lookup is needed.
                file.handle = try await translatingErrors { try await opener.openForReading(resolved.storagePath) }
            } else {
                let attributes = try await self.storageAttributes(of: path, followingSymlinks: true)
                guard attributes.kind != .directory else {
                    throw VFSError(.isADirectory, "\(path) is a directory")
                }
            }
            return .reading(file)
        }
    }

    /// Reads from an open file.
    ///
    /// - Parameters:
    ///   - handle: A handle from ``openForReading(_:)``, or from ``openForWriting(_:flags:)`` on a backend
    ///     with random-access writes.
    ///   - offset: The first byte.
    ///   - count: The most bytes wanted; capped at ``VFSLimits/maximumReadSize``.
    /// - Returns: The bytes; empty at or past the end of the file.
    /// - Throws: ``VFSError`` (`invalidHandle`, `unsupported` for an upload into a sequential backend…).
    public func read(_ handle: VFSHandle, at offset: UInt64, count: Int) async throws -> ByteBuffer {
        let count = min(max(count, 0), self.limits.maximumReadSize)
        switch self.handles[handle.id] {
        case .reading(let file):
            let bytes = try await translatingErrors {
                if let handle = file.handle {
                    return try await handle.read(at: offset, count: count)
                }
                return try await file.resolved.storage.read(file.resolved.storagePath, at: offset, count: count)
            }
            if case .reading(var current) = self.handles[handle.id] {
                current.bytesRead += UInt64(bytes.readableBytes)
                self.handles[handle.id] = .reading(current)
            }
            return bytes
        case .writing(let file):
            guard case .randomAccess(let target) = file.target else {
                throw VFSError(.unsupported, "\(file.path) cannot be read back while it is being uploaded")
            }
            return try await translatingErrors { try await target.read(at: offset, count: count) }
        case nil:
            throw VFSError(.invalidHandle, "\(handle) is not open")
        }
    }
}

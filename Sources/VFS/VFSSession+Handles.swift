import FerryCore
import Storage

extension VFSSession {
    /// The user path an open handle refers to.
    ///
    /// - Parameter handle: An open handle.
    /// - Returns: The path it was opened with.
    /// - Throws: ``VFSError`` `invalidHandle` when it is not open.
    public func path(of handle: VFSHandle) throws -> FerryPath {
        switch self.handles[handle.id] {
        case .reading(let file): return file.path
        case .writing(let file): return file.path
        case nil: throw VFSError(.invalidHandle, "\(handle) is not open")
        }
    }

    /// The attributes of an open file.
    ///
    /// A file being read reports what the backend holds; an upload reports its size so far (what a random-access
    /// backend holds, or the end of the highest write on a sequential one) as a regular file, since it has no
    /// name of its own yet.
    ///
    /// - Parameter handle: An open handle.
    /// - Returns: The attributes.
    /// - Throws: ``VFSError``.
    public func attributes(of handle: VFSHandle) async throws -> FileAttributes {
        switch self.handles[handle.id] {
        case .reading(let file):
            return try await self.storageAttributes(of: file.path, followingSymlinks: true)
        case .writing(let file):
            var attributes = FileAttributes(kind: .file, size: file.highestEnd, modificationTime: .now())
            if case .randomAccess(let target) = file.target {
                attributes.size = try await translatingErrors { try await target.size() }
            }
            if let pending = file.pendingAttributes {
                attributes.permissions = pending.permissions ?? attributes.permissions
                attributes.modificationTime = pending.modificationTime ?? attributes.modificationTime
                attributes.accessTime = pending.accessTime
            }
            return attributes
        case nil:
            throw VFSError(.invalidHandle, "\(handle) is not open")
        }
    }

    /// Changes the attributes of an open file. Needs ``VFSPermission/setAttributes``.
    ///
    /// On a file being read this is ``setAttributes(_:_:)`` on its path. On an upload a new size truncates or
    /// extends it at once (random-access backends only; a sequential upload accepts only its current size), and
    /// permissions, ownership and times are kept and applied when the upload is published, so a client that
    /// sets times before closing (`put -p`) sees them on the published file.
    ///
    /// - Parameters:
    ///   - handle: An open handle.
    ///   - changes: The attributes to change.
    /// - Throws: ``VFSError`` (`unsupported` when the backend cannot keep attributes…).
    public func setAttributes(of handle: VFSHandle, _ changes: VFSAttributeChanges) async throws {
        switch self.handles[handle.id] {
        case .reading(let file):
            try await self.setAttributes(file.path, changes)
        case .writing(var file):
            try self.permissions.check(.setAttributes, path: file.path)
            guard !changes.isEmpty else { return }
            if let size = changes.size {
                if let maximum = self.limits.maximumFileSize, size > maximum {
                    throw VFSError(.fileTooLarge, "\(file.path) may not exceed \(maximum) bytes")
                }
                switch file.target {
                case .randomAccess(let target):
                    try await translatingErrors { try await target.truncate(to: size) }
                case .sequential:
                    guard size == file.highestEnd else {
                        throw VFSError(.unsupported, "\(file.path) cannot be resized while it is being uploaded")
                    }
                }
            }
            var kept = changes
            kept.size = nil
            if !kept.isEmpty {
                guard file.resolved.storage is any AttributeSetting else {
                    throw VFSError(.unsupported, "the storage behind \(file.path) cannot change attributes")
                }
                // Re-read: the handle may have changed while the truncation above was suspended.
                guard case .writing(let current) = self.handles[handle.id] else {
                    throw VFSError(.invalidHandle, "\(handle) is not open")
                }
                file = current
                var pending = file.pendingAttributes ?? VFSAttributeChanges()
                pending.permissions = kept.permissions ?? pending.permissions
                pending.uid = kept.uid ?? pending.uid
                pending.gid = kept.gid ?? pending.gid
                pending.accessTime = kept.accessTime ?? pending.accessTime
                pending.modificationTime = kept.modificationTime ?? pending.modificationTime
                file.pendingAttributes = pending
                self.handles[handle.id] = .writing(file)
            }
        case nil:
            throw VFSError(.invalidHandle, "\(handle) is not open")
        }
    }

    /// Flushes an upload's bytes to stable storage (a no-op for files being read, and for sequential uploads,
    /// whose backend makes them durable when they are published).
    ///
    /// - Parameter handle: An open handle.
    /// - Throws: ``VFSError``.
    public func sync(_ handle: VFSHandle) async throws {
        switch self.handles[handle.id] {
        case .reading:
            return
        case .writing(let file):
            if case .randomAccess(let target) = file.target {
                try await translatingErrors { try await target.sync() }
            }
        case nil:
            throw VFSError(.invalidHandle, "\(handle) is not open")
        }
    }

    /// What the storage behind the user's root can do, for frontends that advertise optional operations.
    public nonisolated var features: VFSFeatures {
        let storage = self.mounts.root.storage
        return VFSFeatures(
            hardLinks: storage is any HardLinking,
            symbolicLinks: storage is any Symlinking,
            spaceReports: storage is any SpaceReporting,
            attributes: storage is any AttributeSetting,
            randomAccessWrites: storage is any RandomAccessWriting
        )
    }
}

/// Optional operations the storage behind a session's root supports.
public struct VFSFeatures: Sendable, Hashable {
    /// Hard links (``VFSSession/hardLink(at:to:)``).
    public var hardLinks: Bool
    /// Symbolic links.
    public var symbolicLinks: Bool
    /// Space reports (``VFSSession/spaceReport(for:)``).
    public var spaceReports: Bool
    /// Changing permissions, ownership, times and sizes.
    public var attributes: Bool
    /// Writes at any offset, in place.
    public var randomAccessWrites: Bool

    /// Creates a description.
    public init(
        hardLinks: Bool,
        symbolicLinks: Bool,
        spaceReports: Bool,
        attributes: Bool,
        randomAccessWrites: Bool
    ) {
        self.hardLinks = hardLinks
        self.symbolicLinks = symbolicLinks
        self.spaceReports = spaceReports
        self.attributes = attributes
        self.randomAccessWrites = randomAccessWrites
    }
}

import FerryCore
import NIOCore
import Storage

extension VFSSession {
    /// Opens a file for writing, following the one table of open-flag semantics (see ``VFSOpenFlags``):
    /// needs ``VFSPermission/upload`` for a new file and ``VFSPermission/overwrite`` for an existing one.
    ///
    /// Nothing appears under the name until ``close(_:)`` succeeds. On backends without random-access writes the
    /// upload streams in order through a reorder window, and an existing file can only be replaced
    /// (``VFSOpenFlags/truncate``), not changed in place.
    ///
    /// - Parameters:
    ///   - path: A user path.
    ///   - flags: Create, truncate, exclusive, append.
    /// - Returns: The handle.
    /// - Throws: ``VFSError`` (`noSuchFile`, `alreadyExists`, `isADirectory`, `permissionDenied`,
    ///   `tooManyHandles`, `unsupported`…).
    public func openForWriting(_ path: FerryPath, flags: VFSOpenFlags) async throws -> VFSHandle {
        guard !self.mounts.holdsMountPoint(path) else {
            throw VFSError(.isADirectory, "\(path) is a directory")
        }
        let granted = self.permissions.permissions(at: path)
        guard granted.allows(.upload) || granted.allows(.overwrite) else {
            throw VFSError(.permissionDenied, "neither 'upload' nor 'overwrite' is granted at \(path)")
        }
        let existing = try await self.existingKind(path)
        let plan = try VFSOpenPlan.decide(flags: flags, existing: existing, path: path)
        try self.permissions.check(plan.permission, path: path)
        let resolved = self.mounts.resolve(path)
        let window = self.limits.reorderWindow
        return try await self.openHandle {
            let target: VFSUploadTarget
            var initialSize: UInt64 = 0
            if let writer = resolved.storage as? any RandomAccessWriting {
                let handle = try await writer.openForWriting(
                    resolved.storagePath,
                    initialContents: plan.initialContents
                )
                if plan.initialContents == .existing {
                    do {
                        initialSize = try await handle.size()
                    } catch {
                        try? await handle.abort()
                        throw error
                    }
                }
                target = .randomAccess(handle)
            } else {
                if existing != nil && plan.initialContents == .existing {
                    throw VFSError(.unsupported, "\(path) can only be replaced on this storage; open it with truncate")
                }
                let upload = SequentialUpload(window: window)
                await upload.start(storage: resolved.storage, path: resolved.storagePath)
                target = .sequential(upload)
            }
            let file = VFSWritingFile(
                path: path,
                resolved: resolved,
                plan: plan,
                target: target,
                opened: .now,
                appendOffset: initialSize,
                highestEnd: initialSize
            )
            return .writing(file)
        }
    }

    /// Writes to a file opened for writing. A failed write marks the upload failed: closing it then discards it.
    ///
    /// - Parameters:
    ///   - handle: A handle from ``openForWriting(_:flags:)``.
    ///   - bytes: The bytes.
    ///   - offset: Where they go; ignored for an append handle, whose writes go to the end.
    /// - Throws: ``VFSError`` (`invalidHandle`, `fileTooLarge`, `unsupported` for a write behind what a
    ///   sequential backend already received…).
    public func write(_ handle: VFSHandle, bytes: ByteBuffer, at offset: UInt64) async throws {
        guard case .writing(var file) = self.handles[handle.id] else {
            throw VFSError(.invalidHandle, "\(handle) is not open for writing")
        }
        if let failure = file.failure {
            throw failure
        }
        let count = UInt64(bytes.readableBytes)
        let start = file.plan.appends ? file.appendOffset : offset
        let (end, overflow) = start.addingReportingOverflow(count)
        if overflow || end > (self.limits.maximumFileSize ?? UInt64.max) {
            let error = VFSError(.fileTooLarge, "\(file.path) would exceed \(self.limits.maximumFileSize ?? 0) bytes")
            self.markFailed(handle, error)
            throw error
        }
        if file.plan.appends {
            file.appendOffset = end
        }
        file.highestEnd = max(file.highestEnd, end)
        self.handles[handle.id] = .writing(file)
        do {
            switch file.target {
            case .randomAccess(let target):
                try await target.write(bytes, at: start)
            case .sequential(let upload):
                try await upload.write(bytes, at: start)
            }
        } catch {
            let converted = VFSError.converting(error)
            self.markFailed(handle, converted)
            throw converted
        }
    }

    func markFailed(_ handle: VFSHandle, _ error: VFSError) {
        guard case .writing(var file) = self.handles[handle.id], file.failure == nil else { return }
        file.failure = error
        self.handles[handle.id] = .writing(file)
    }
}

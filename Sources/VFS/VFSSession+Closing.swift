import FerryCore
import Storage

extension VFSSession {
    /// Closes a handle. Closing an upload publishes it atomically under its name; if any write failed, if an
    /// exclusive file appeared meanwhile, or if publishing fails, the upload is discarded instead and the error
    /// is thrown.
    ///
    /// - Parameter handle: An open handle; it is closed whatever happens.
    /// - Throws: ``VFSError``.
    public func close(_ handle: VFSHandle) async throws {
        guard let file = self.handles.removeValue(forKey: handle.id) else {
            throw VFSError(.invalidHandle, "\(handle) is not open")
        }
        switch file {
        case .reading(let reading):
            await reading.handle?.close()
            await self.emit(
                .downloadCompleted(path: reading.path, bytes: reading.bytesRead, duration: .now - reading.opened)
            )
        case .writing(let writing):
            try await self.finishUpload(writing)
        }
    }

    private func finishUpload(_ file: VFSWritingFile) async throws {
        do {
            if let failure = file.failure {
                throw failure
            }
            if file.plan.exclusive, try await self.existingKind(file.path) != nil {
                throw VFSError(.alreadyExists, "\(file.path) was created by someone else meanwhile")
            }
            let size: UInt64
            switch file.target {
            case .randomAccess(let target):
                size = try await translatingErrors {
                    let size = try await target.size()
                    try await target.publish()
                    return size
                }
            case .sequential(let upload):
                size = try await upload.finish()
            }
            if let pending = file.pendingAttributes {
                // The file is published: its bytes are safe under its name. Support and permission were checked
                // when the attributes were set, so what can still fail here is a race with another client, and
                // failing the close would misreport a complete upload as lost.
                try? await self.applyAttributes(pending, at: file.resolved)
            }
            await self.emit(.uploadCompleted(path: file.path, bytes: size, duration: .now - file.opened))
        } catch {
            let converted = VFSError.converting(error)
            await Self.discard(.writing(file))
            await self.emit(.uploadFailed(path: file.path, bytes: file.highestEnd, error: converted))
            throw converted
        }
    }

    /// Closes every handle when the connection ends: uploads still open are discarded (nothing appears under
    /// their names, existing files stay as they were) and reported as aborted. Later opens fail.
    public func closeAll() async {
        self.ended = true
        let open = self.handles.sorted { $0.key < $1.key }
        self.handles = [:]
        for (_, file) in open {
            await Self.discard(file)
            if case .writing(let writing) = file {
                await self.emit(.uploadAborted(path: writing.path, bytes: writing.highestEnd))
            }
        }
    }

    /// Releases what an open file holds without publishing anything.
    static func discard(_ file: VFSOpenFile) async {
        if case .reading(let reading) = file {
            await reading.handle?.close()
        }
        guard case .writing(let writing) = file else { return }
        switch writing.target {
        case .randomAccess(let target):
            try? await target.abort()
        case .sequential(let upload):
            await upload.abort()
        }
    }
}

import NIOCore
import SFTPProtocol

/// An open remote file or directory.
public struct SFTPFileHandle: Sendable, Hashable {
    public let handle: SFTPHandle
    /// The path it was opened with, for messages.
    public let path: SFTPPath
}

extension SFTPClient {
    // MARK: Reply shapes

    /// Expects `STATUS OK`; any other status throws with `path` for the message.
    func expectOK(_ response: SFTPResponse, path: SFTPPath?) throws {
        switch response {
        case .status(let status) where status.code == .ok: return
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path?.description)
        default:
            throw SFTPClientError.protocolError("expected a status reply, got \(response.packetType)")
        }
    }

    func expectHandle(_ response: SFTPResponse, path: SFTPPath) throws -> SFTPFileHandle {
        switch response {
        case .handle(let reply): return SFTPFileHandle(handle: reply.handle, path: path)
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path.description)
        default:
            throw SFTPClientError.protocolError("expected a handle, got \(response.packetType)")
        }
    }

    func expectAttributes(_ response: SFTPResponse, path: SFTPPath) throws -> SFTPFileAttributes {
        switch response {
        case .attributes(let reply): return reply.attributes
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path.description)
        default:
            throw SFTPClientError.protocolError("expected attributes, got \(response.packetType)")
        }
    }

    func expectSingleName(_ response: SFTPResponse, path: SFTPPath) throws -> SFTPNameEntry {
        switch response {
        case .name(let reply):
            guard reply.entries.count == 1 else {
                throw SFTPClientError.protocolError("expected one name, got \(reply.entries.count)")
            }
            return reply.entries[0]
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path.description)
        default:
            throw SFTPClientError.protocolError("expected a name, got \(response.packetType)")
        }
    }

    func extended<Payload: SFTPExtendedRequestPayload>(
        _ payload: Payload,
        path: SFTPPath?
    ) async throws -> SFTPResponse.ExtendedReply {
        let response = try await self.request { .extended(.init(requestID: $0, payload)) }
        switch response {
        case .extendedReply(let reply): return reply
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path?.description)
        default:
            throw SFTPClientError.protocolError("expected an extended reply, got \(response.packetType)")
        }
    }

    func extendedStatus<Payload: SFTPExtendedRequestPayload>(_ payload: Payload, path: SFTPPath?) async throws {
        guard self.supports(Payload.extensionName) else { throw SFTPClientError.unsupported(Payload.extensionName) }
        let response = try await self.request { .extended(.init(requestID: $0, payload)) }
        try self.expectOK(response, path: path)
    }

    // MARK: Files

    /// Opens (or creates) a file.
    public func open(
        _ path: SFTPPath,
        flags: SFTPOpenFlags,
        attributes: SFTPFileAttributes = SFTPFileAttributes()
    ) async throws -> SFTPFileHandle {
        let response = try await self.request {
            .open(.init(requestID: $0, filename: path, flags: flags, attributes: attributes))
        }
        return try self.expectHandle(response, path: path)
    }

    /// Closes a file or directory handle. For an upload, this is when the server publishes the file, so its
    /// status matters.
    public func close(_ file: SFTPFileHandle) async throws {
        let response = try await self.request { .close(.init(requestID: $0, handle: file.handle)) }
        try self.expectOK(response, path: file.path)
    }

    /// Reads up to `length` bytes at `offset`; nil at end of file. The server may return fewer bytes than asked.
    public func read(_ file: SFTPFileHandle, offset: UInt64, length: Int) async throws -> ByteBuffer? {
        let response = try await self.request {
            .read(.init(requestID: $0, handle: file.handle, offset: offset, length: UInt32(clamping: length)))
        }
        return try self.dataOrEOF(response, path: file.path)
    }

    func dataOrEOF(_ response: SFTPResponse, path: SFTPPath) throws -> ByteBuffer? {
        switch response {
        case .data(let reply): return reply.data
        case .status(let status) where status.code == .eof: return nil
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: path.description)
        default:
            throw SFTPClientError.protocolError("expected data, got \(response.packetType)")
        }
    }

    /// Writes `data` at `offset`.
    public func write(_ file: SFTPFileHandle, offset: UInt64, data: ByteBuffer) async throws {
        let response = try await self.request {
            .write(.init(requestID: $0, handle: file.handle, offset: offset, data: data))
        }
        try self.expectOK(response, path: file.path)
    }

    /// The attributes of an open file.
    public func fstat(_ file: SFTPFileHandle) async throws -> SFTPFileAttributes {
        let response = try await self.request { .fstat(.init(requestID: $0, handle: file.handle)) }
        return try self.expectAttributes(response, path: file.path)
    }

    /// Changes the attributes of an open file.
    public func fsetstat(_ file: SFTPFileHandle, _ attributes: SFTPFileAttributes) async throws {
        let response = try await self.request {
            .fsetstat(.init(requestID: $0, handle: file.handle, attributes: attributes))
        }
        try self.expectOK(response, path: file.path)
    }

    /// Asks the server to flush the file to stable storage (`fsync@openssh.com`).
    public func fsync(_ file: SFTPFileHandle) async throws {
        try await self.extendedStatus(SFTPExtensions.Fsync(handle: file.handle), path: file.path)
    }

    // MARK: Attributes

    /// The attributes of `path`, following symbolic links.
    public func stat(_ path: SFTPPath) async throws -> SFTPFileAttributes {
        let response = try await self.request { .stat(.init(requestID: $0, path: path)) }
        return try self.expectAttributes(response, path: path)
    }

    /// The attributes of `path` itself (a symbolic link is not followed).
    public func lstat(_ path: SFTPPath) async throws -> SFTPFileAttributes {
        let response = try await self.request { .lstat(.init(requestID: $0, path: path)) }
        return try self.expectAttributes(response, path: path)
    }

    /// The attributes of `path`, or nil when it does not exist.
    public func statIfExists(_ path: SFTPPath) async throws -> SFTPFileAttributes? {
        do {
            return try await self.stat(path)
        } catch let error as SFTPClientError where error.statusCode == .noSuchFile {
            return nil
        }
    }

    /// Changes the attributes of `path` (following symbolic links).
    public func setstat(_ path: SFTPPath, _ attributes: SFTPFileAttributes) async throws {
        let response = try await self.request { .setstat(.init(requestID: $0, path: path, attributes: attributes)) }
        try self.expectOK(response, path: path)
    }

    /// Changes the attributes of `path` itself (`lsetstat@openssh.com`).
    public func lsetstat(_ path: SFTPPath, _ attributes: SFTPFileAttributes) async throws {
        try await self.extendedStatus(SFTPExtensions.LSetStat(path: path, attributes: attributes), path: path)
    }

    // MARK: Directories

    /// Opens a directory for listing.
    public func openDirectory(_ path: SFTPPath) async throws -> SFTPFileHandle {
        let response = try await self.request { .opendir(.init(requestID: $0, path: path)) }
        return try self.expectHandle(response, path: path)
    }

    /// The next batch of entries of an open directory; nil when it is exhausted.
    public func readDirectory(_ directory: SFTPFileHandle) async throws -> [SFTPNameEntry]? {
        let response = try await self.request { .readdir(.init(requestID: $0, handle: directory.handle)) }
        switch response {
        case .name(let reply): return reply.entries
        case .status(let status) where status.code == .eof: return nil
        case .status(let status):
            throw SFTPClientError.status(code: status.code, message: status.message, path: directory.path.description)
        default:
            throw SFTPClientError.protocolError("expected names, got \(response.packetType)")
        }
    }

    /// Lists `path` batch by batch (so a huge directory never sits in memory whole), without `.` and `..`.
    public func listDirectory(
        _ path: SFTPPath,
        batch: ([SFTPNameEntry]) async throws -> Void
    ) async throws {
        let directory = try await self.openDirectory(path)
        do {
            while let entries = try await self.readDirectory(directory) {
                let kept = entries.filter { $0.filename.bytes != [0x2E] && $0.filename.bytes != [0x2E, 0x2E] }
                if !kept.isEmpty { try await batch(kept) }
            }
        } catch {
            try? await self.close(directory)
            throw error
        }
        try await self.close(directory)
    }

    /// Every entry of `path`, without `.` and `..`, in the server's order.
    public func listDirectory(_ path: SFTPPath) async throws -> [SFTPNameEntry] {
        var all: [SFTPNameEntry] = []
        try await self.listDirectory(path) { all.append(contentsOf: $0) }
        return all
    }

    /// Creates a directory.
    public func makeDirectory(_ path: SFTPPath, attributes: SFTPFileAttributes = SFTPFileAttributes()) async throws {
        let response = try await self.request { .mkdir(.init(requestID: $0, path: path, attributes: attributes)) }
        try self.expectOK(response, path: path)
    }

    /// Removes an empty directory.
    public func removeDirectory(_ path: SFTPPath) async throws {
        let response = try await self.request { .rmdir(.init(requestID: $0, path: path)) }
        try self.expectOK(response, path: path)
    }

    // MARK: Names

    /// Removes a file.
    public func remove(_ path: SFTPPath) async throws {
        let response = try await self.request { .remove(.init(requestID: $0, filename: path)) }
        try self.expectOK(response, path: path)
    }

    /// Renames `oldPath` to `newPath`. Without `replacing`, the plain v3 rename, which fails when `newPath`
    /// exists. With it, an existing `newPath` is replaced: atomically with `posix-rename@openssh.com` when the
    /// server offers it, else by removing `newPath` first (a moment exists when neither name holds the file).
    public func rename(_ oldPath: SFTPPath, to newPath: SFTPPath, replacing: Bool = false) async throws {
        if replacing {
            if self.supports(SFTPExtensions.PosixRename.extensionName) {
                try await self.extendedStatus(
                    SFTPExtensions.PosixRename(oldPath: oldPath, newPath: newPath),
                    path: oldPath
                )
                return
            }
            if try await self.statIfExists(newPath) != nil { try await self.remove(newPath) }
        }
        let response = try await self.request { .rename(.init(requestID: $0, oldPath: oldPath, newPath: newPath)) }
        try self.expectOK(response, path: oldPath)
    }

    /// The canonical absolute form of `path` (`.` gives the starting directory).
    public func realpath(_ path: SFTPPath) async throws -> SFTPPath {
        let response = try await self.request { .realpath(.init(requestID: $0, path: path)) }
        return try self.expectSingleName(response, path: path).filename
    }

    /// What the symbolic link at `path` points to.
    public func readlink(_ path: SFTPPath) async throws -> SFTPPath {
        let response = try await self.request { .readlink(.init(requestID: $0, path: path)) }
        return try self.expectSingleName(response, path: path).filename
    }

    /// Creates a symbolic link at `linkPath` pointing to `targetPath`.
    public func symlink(linkPath: SFTPPath, targetPath: SFTPPath) async throws {
        let response = try await self.request {
            .symlink(.init(requestID: $0, targetPath: targetPath, linkPath: linkPath))
        }
        try self.expectOK(response, path: linkPath)
    }

    /// Creates a hard link (`hardlink@openssh.com`).
    public func hardlink(_ existingPath: SFTPPath, to newPath: SFTPPath) async throws {
        try await self.extendedStatus(SFTPExtensions.Hardlink(oldPath: existingPath, newPath: newPath), path: newPath)
    }

    /// Expands `~` and `~user` and makes the path absolute (`expand-path@openssh.com`); falls back to
    /// ``realpath(_:)`` when the server lacks it.
    public func expandPath(_ path: SFTPPath) async throws -> SFTPPath {
        guard self.supports(SFTPExtensions.ExpandPath.extensionName) else { return try await self.realpath(path) }
        let response = try await self.request { .extended(.init(requestID: $0, SFTPExtensions.ExpandPath(path: path))) }
        return try self.expectSingleName(response, path: path).filename
    }

    /// File system statistics (`statvfs@openssh.com`).
    public func statVFS(_ path: SFTPPath) async throws -> SFTPExtensions.StatVFSReply {
        guard self.supports(SFTPExtensions.StatVFS.extensionName) else {
            throw SFTPClientError.unsupported(SFTPExtensions.StatVFS.extensionName)
        }
        return try await self.extended(SFTPExtensions.StatVFS(path: path), path: path).decode()
    }

    /// Copies bytes between two open files on the server (`copy-data`), without moving them over the network.
    public func copyData(
        from source: SFTPFileHandle,
        offset: UInt64,
        length: UInt64,
        to destination: SFTPFileHandle,
        at destinationOffset: UInt64
    ) async throws {
        try await self.extendedStatus(
            SFTPExtensions.CopyData(
                readFromHandle: source.handle,
                readFromOffset: offset,
                readDataLength: length,
                writeToHandle: destination.handle,
                writeToOffset: destinationOffset
            ),
            path: destination.path
        )
    }
}

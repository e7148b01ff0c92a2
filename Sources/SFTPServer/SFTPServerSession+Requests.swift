import FerryCore
import NIOCore
import SFTPProtocol
import VFS

/// The dispatch table: one branch per request type, each turning a request into a reply or throwing. Every
/// permission decision is the VFS's; every failure is mapped in ``SFTPStatusMapping``.
extension SFTPServerSession {
    func respond(to request: SFTPRequest, id: UInt32) async throws -> SFTPResponse {
        switch request {
        case .initialize:
            throw SFTPRequestError(.badMessage, "SSH_FXP_INIT was sent twice")
        case .open(let r):
            return try await self.open(r)
        case .close(let r):
            return try await self.close(r)
        case .read(let r):
            let handle = try self.fileHandle(r.handle)
            let count = min(Int(r.length), self.maximumReadLength)
            let bytes = try await self.vfs.read(handle, at: r.offset, count: count)
            guard bytes.readableBytes > 0 else { return Self.status(id, .eof) }
            return .data(.init(requestID: id, data: bytes))
        case .write(let r):
            let handle = try self.fileHandle(r.handle)
            try await self.vfs.write(handle, bytes: r.data, at: r.offset)
            return Self.ok(id)
        case .lstat(let r):
            let attributes = try await self.vfs.linkAttributes(of: self.path(r.path))
            return .attributes(.init(requestID: id, attributes: SFTPFileAttributes(attributes)))
        case .stat(let r):
            let attributes = try await self.vfs.attributes(of: self.path(r.path))
            return .attributes(.init(requestID: id, attributes: SFTPFileAttributes(attributes)))
        case .fstat(let r):
            let attributes: FileAttributes
            switch self.handles.withLock({ $0.entry(r.handle) }) {
            case .file(let handle, _): attributes = try await self.vfs.attributes(of: handle)
            case .directory(let listing): attributes = try await self.vfs.attributes(of: listing.path)
            case nil: throw SFTPRequestError.invalidHandle()
            }
            return .attributes(.init(requestID: id, attributes: SFTPFileAttributes(attributes)))
        case .setstat(let r):
            try await self.vfs.setAttributes(self.path(r.path), r.attributes.changes)
            return Self.ok(id)
        case .fsetstat(let r):
            switch self.handles.withLock({ $0.entry(r.handle) }) {
            case .file(let handle, _): try await self.vfs.setAttributes(of: handle, r.attributes.changes)
            case .directory(let listing): try await self.vfs.setAttributes(listing.path, r.attributes.changes)
            case nil: throw SFTPRequestError.invalidHandle()
            }
            return Self.ok(id)
        case .opendir(let r):
            return try await self.openDirectory(r)
        case .readdir(let r):
            return try await self.readDirectory(r)
        case .remove(let r):
            try await self.vfs.remove(self.path(r.filename))
            return Self.ok(id)
        case .mkdir(let r):
            let path = try self.path(r.path)
            try await self.vfs.makeDirectory(path)
            if let permissions = r.attributes.permissions {
                // As mkdir(2) with the server's umask of 022; refused or unsupported modes leave the default.
                let mode = FilePermissions(rawValue: permissions.mode & 0o755)
                try? await self.vfs.setAttributes(path, VFSAttributeChanges(permissions: mode))
            }
            return Self.ok(id)
        case .rmdir(let r):
            try await self.vfs.removeDirectory(self.path(r.path))
            return Self.ok(id)
        case .realpath(let r):
            let path = try self.path(r.path)
            return Self.name(id, path.string)
        case .rename(let r):
            // SSH_FXP_RENAME never replaces an existing file, as in OpenSSH; posix-rename@openssh.com does.
            try await self.vfs.rename(self.path(r.oldPath), to: self.path(r.newPath), noReplace: true)
            return Self.ok(id)
        case .readlink(let r):
            let target = try await self.vfs.readSymlink(self.path(r.path))
            return Self.name(id, target)
        case .symlink(let r):
            guard let target = r.targetPath.string, !target.isEmpty, !target.utf8.contains(0) else {
                throw SFTPRequestError(.badMessage, "The link target is not a valid path")
            }
            try await self.vfs.symlink(at: self.path(r.linkPath), target: target)
            return Self.ok(id)
        case .extended(let r):
            return try await self.respondToExtension(r)
        }
    }

    // MARK: Files

    private func open(_ r: SFTPRequest.Open) async throws -> SFTPResponse {
        let path = try self.path(r.filename)
        let handle: VFSHandle
        if r.flags.contains(.write) || r.flags.contains(.append) {
            var flags = VFSOpenFlags()
            if r.flags.contains(.create) { flags.insert(.create) }
            if r.flags.contains(.truncate) { flags.insert(.truncate) }
            if r.flags.contains(.exclusive) { flags.insert(.exclusive) }
            if r.flags.contains(.append) { flags.insert(.append) }
            handle = try await self.vfs.openForWriting(path, flags: flags)
            let replaces = r.flags.contains(.truncate) || r.flags.contains(.exclusive)
            if r.flags.contains(.create), replaces, let permissions = r.attributes.permissions {
                // As open(2) with the server's umask of 022, never set-id bits; a user without the right to set
                // attributes, or a backend without modes, keeps the default.
                let mode = FilePermissions(rawValue: permissions.mode & 0o755)
                try? await self.vfs.setAttributes(of: handle, VFSAttributeChanges(permissions: mode))
            }
        } else if r.flags.contains(.read) {
            handle = try await self.vfs.openForReading(path)
        } else {
            throw SFTPRequestError(.badMessage, "SSH_FXP_OPEN needs SSH_FXF_READ or SSH_FXF_WRITE")
        }
        let sftpHandle = self.handles.withLock { $0.insert(.file(handle, path)) }
        return .handle(.init(requestID: r.requestID, handle: sftpHandle))
    }

    private func close(_ r: SFTPRequest.Close) async throws -> SFTPResponse {
        switch self.handles.withLock({ $0.remove(r.handle) }) {
        case .file(let handle, _):
            try await self.vfs.close(handle)
        case .directory:
            break
        case nil:
            throw SFTPRequestError.invalidHandle()
        }
        return Self.ok(r.requestID)
    }

    func fileHandle(_ handle: SFTPHandle) throws -> VFSHandle {
        guard case .file(let vfsHandle, _) = self.handles.withLock({ $0.entry(handle) }) else {
            throw SFTPRequestError.invalidHandle()
        }
        return vfsHandle
    }

    /// The most bytes one `READ` returns: what the VFS allows, and never more than 255 KiB, so that the reply
    /// fits the 256 KiB packets OpenSSH's client accepts.
    var maximumReadLength: Int {
        min(self.vfs.limits.maximumReadSize, Self.maximumReplyPacket - 1024)
    }

    /// The longest packet a client is assumed to accept, and the one `limits@openssh.com` announces (OpenSSH's
    /// `SFTP_MAX_MSG_LENGTH`).
    static let maximumReplyPacket = 256 * 1024

    // MARK: Directories

    private func openDirectory(_ r: SFTPRequest.OpenDir) async throws -> SFTPResponse {
        let path = try self.path(r.path)
        let attributes = try await self.vfs.attributes(of: path)
        guard attributes.kind == .directory else {
            throw VFSError(.notADirectory, "\(path) is not a directory")
        }
        let tooMany = self.handles.withLock { $0.directoryCount >= self.vfs.limits.maximumHandles }
        if tooMany {
            throw VFSError(.tooManyHandles, "no more than \(self.vfs.limits.maximumHandles) directories may be open")
        }
        let page = try await self.vfs.list(path, pageSize: self.options.directoryPageSize)
        var entries = [FileInfo(name: ".", attributes: attributes)]
        if let parent = path.parent, let parentAttributes = try? await self.vfs.attributes(of: parent) {
            entries.append(FileInfo(name: "..", attributes: parentAttributes))
        } else {
            entries.append(FileInfo(name: "..", attributes: attributes))
        }
        entries += page.entries
        let listing = SFTPDirectoryListing(
            path: path,
            buffered: entries,
            continuation: page.continuation,
            exhausted: page.continuation == nil
        )
        let handle = self.handles.withLock { $0.insert(.directory(listing)) }
        return .handle(.init(requestID: r.requestID, handle: handle))
    }

    private func readDirectory(_ r: SFTPRequest.ReadDir) async throws -> SFTPResponse {
        guard case .directory(var listing) = self.handles.withLock({ $0.entry(r.handle) }) else {
            throw SFTPRequestError.invalidHandle()
        }
        if listing.buffered.isEmpty && !listing.exhausted {
            let page = try await self.vfs.list(
                listing.path,
                pageSize: self.options.directoryPageSize,
                after: listing.continuation
            )
            listing.buffered = page.entries
            listing.continuation = page.continuation
            listing.exhausted = page.continuation == nil
        }
        guard !listing.buffered.isEmpty else {
            return Self.status(r.requestID, .eof)
        }
        let count = min(listing.buffered.count, self.options.directoryEntriesPerReply)
        let batch = listing.buffered.prefix(count)
        listing.buffered.removeFirst(count)
        self.handles.withLock { $0.replaceListing(r.handle, with: listing) }
        let now = self.options.now()
        let entries = batch.map { info in
            let attributes = SFTPFileAttributes(info.attributes)
            let longname = SFTPLongName.format(
                filename: info.name,
                attributes: attributes,
                owner: attributes.ownership.flatMap { self.options.userName($0.userID) },
                group: attributes.ownership.flatMap { self.options.groupName($0.groupID) },
                linkCount: info.attributes.kind == .directory ? 2 : 1,
                now: now
            )
            return SFTPNameEntry(filename: SFTPPath(info.name), longname: longname, attributes: attributes)
        }
        return .name(.init(requestID: r.requestID, entries: entries))
    }

    // MARK: Helpers

    /// A client path made absolute and normalised against the user's home.
    func path(_ path: SFTPPath) throws -> FerryPath {
        try self.vfs.realpath(bytes: path.bytes)
    }

    static func ok(_ id: UInt32) -> SFTPResponse {
        .status(.init(requestID: id, code: .ok, message: "Success"))
    }

    static func status(_ id: UInt32, _ code: SFTPStatusCode) -> SFTPResponse {
        .status(.init(requestID: id, code: code))
    }

    /// A one-entry `SSH_FXP_NAME`, as `REALPATH` and `READLINK` reply: the long name repeats the name and the
    /// attributes are empty, as in OpenSSH.
    static func name(_ id: UInt32, _ text: String) -> SFTPResponse {
        .name(.init(requestID: id, entries: [SFTPNameEntry(filename: SFTPPath(text), longname: text)]))
    }
}

import FerryCore
import NIOCore
import SFTPProtocol
import VFS

/// OpenSSH's extensions (PROTOCOL §4), each answered only when it was announced in `SSH_FXP_VERSION`.
extension SFTPServerSession {
    func respondToExtension(_ r: SFTPRequest.Extended) async throws -> SFTPResponse {
        let id = r.requestID
        guard self.extensions.contains(where: { $0.name == r.name }) else {
            throw SFTPRequestError.unsupported("The extension \"\(r.name)\"")
        }
        typealias E = SFTPExtensions
        switch try SFTPExtendedRequest(r) {
        case .posixRename(let p):
            try await self.vfs.rename(self.path(p.oldPath), to: self.path(p.newPath), noReplace: false)
            return Self.ok(id)
        case .statVFS(let p):
            return try await self.statVFS(id, self.path(p.path))
        case .fstatVFS(let p):
            let path: FerryPath
            switch self.handles.withLock({ $0.entry(p.handle) }) {
            case .file(_, let filePath): path = filePath.parent ?? .root
            case .directory(let listing): path = listing.path
            case nil: throw SFTPRequestError.invalidHandle()
            }
            return try await self.statVFS(id, path)
        case .hardlink(let p):
            try await self.vfs.hardLink(at: self.path(p.newPath), to: self.path(p.oldPath))
            return Self.ok(id)
        case .fsync(let p):
            try await self.vfs.sync(self.fileHandle(p.handle))
            return Self.ok(id)
        case .lsetstat(let p):
            let path = try self.path(p.path)
            let attributes = try await self.vfs.linkAttributes(of: path)
            guard attributes.kind != .symlink else {
                // Linux cannot change a link's own mode, and a backend's link has no times of its own to set.
                throw SFTPRequestError.unsupported("Changing the attributes of a symbolic link")
            }
            try await self.vfs.setAttributes(path, p.attributes.changes)
            return Self.ok(id)
        case .limits:
            let length = UInt64(self.maximumReadLength)
            let reply = E.LimitsReply(
                maximumPacketLength: UInt64(Self.maximumReplyPacket),
                maximumReadLength: length,
                maximumWriteLength: length,
                maximumOpenHandles: UInt64(self.vfs.limits.maximumHandles)
            )
            return .extendedReply(.init(requestID: id, reply))
        case .expandPath(let p):
            return Self.name(id, try self.expand(p.path).string)
        case .copyData(let p):
            try await self.copyData(p)
            return Self.ok(id)
        case .homeDirectory(let p):
            guard p.username.isEmpty || p.username == self.vfs.user else {
                throw VFSError(.noSuchFile, "no home directory is known for \"\(p.username)\"")
            }
            return Self.name(id, self.vfs.home.string)
        case .usersGroupsByID(let p):
            let reply = E.UsersGroupsByIDReply(
                userNames: p.userIDs.map { self.options.userName($0) ?? "" },
                groupNames: p.groupIDs.map { self.options.groupName($0) ?? "" }
            )
            return .extendedReply(.init(requestID: id, reply))
        case .unknown(let name, _):
            throw SFTPRequestError.unsupported("The extension \"\(name)\"")
        }
    }

    private func statVFS(_ id: UInt32, _ path: FerryPath) async throws -> SFTPResponse {
        let report = try await self.vfs.spaceReport(for: path)
        let reply = SFTPExtensions.StatVFSReply(
            blockSize: report.blockSize,
            fragmentSize: report.blockSize,
            totalBlocks: report.totalBlocks,
            freeBlocks: report.freeBlocks,
            availableBlocks: report.availableBlocks,
            totalFileNodes: report.totalFiles,
            freeFileNodes: report.freeFiles,
            availableFileNodes: report.freeFiles,
            fileSystemID: 0,
            flags: [.noSetID],
            maximumNameLength: UInt64(FerryPath.Limits.default.maximumNameLength)
        )
        return .extendedReply(.init(requestID: id, reply))
    }

    /// `expand-path@openssh.com`: `~` and `~/…` start at the home directory (so does `~USER` for the session's
    /// own user); anything else is normalised like `REALPATH`.
    private func expand(_ path: SFTPPath) throws -> FerryPath {
        guard let text = path.string, text.hasPrefix("~") else {
            return try self.path(path)
        }
        let afterTilde = text.dropFirst()
        let slash = afterTilde.firstIndex(of: "/") ?? afterTilde.endIndex
        let user = afterTilde[afterTilde.startIndex..<slash]
        guard user.isEmpty || user == self.vfs.user else {
            throw VFSError(.noSuchFile, "no home directory is known for \"\(user)\"")
        }
        let rest = afterTilde[slash...].drop(while: { $0 == "/" })
        return try self.vfs.realpath(rest.isEmpty ? self.vfs.home.string : self.vfs.home.string + "/" + rest)
    }

    /// `copy-data`: copies a byte range from a file open for reading to a file open for writing, on the server,
    /// in 64 KiB steps; a length of zero copies to the end of the source.
    private func copyData(_ p: SFTPExtensions.CopyData) async throws {
        let source = try self.fileHandle(p.readFromHandle)
        let destination = try self.fileHandle(p.writeToHandle)
        if source == destination {
            let (readEnd, readOverflow) = p.readFromOffset.addingReportingOverflow(p.readDataLength)
            let overlaps =
                p.readDataLength == 0 || readOverflow
                || (p.writeToOffset < readEnd && p.readFromOffset < p.writeToOffset &+ p.readDataLength)
            if overlaps {
                throw SFTPRequestError(.failure, "The source and destination ranges overlap")
            }
        }
        var remaining = p.readDataLength
        var readOffset = p.readFromOffset
        var writeOffset = p.writeToOffset
        let step = 64 * 1024
        while p.readDataLength == 0 || remaining > 0 {
            let count = p.readDataLength == 0 ? step : Int(min(UInt64(step), remaining))
            let bytes = try await self.vfs.read(source, at: readOffset, count: count)
            if bytes.readableBytes == 0 {
                break
            }
            try await self.vfs.write(destination, bytes: bytes, at: writeOffset)
            let copied = UInt64(bytes.readableBytes)
            readOffset += copied
            writeOffset += copied
            if p.readDataLength != 0 {
                remaining -= copied
            }
        }
    }
}

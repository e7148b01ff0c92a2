#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import NIOCore
import Storage

extension LocalStorage {
    /// Stream chunks are gathered up to this size before each trip to the thread pool.
    static let writeBatchSize = 256 * 1024

    @discardableResult
    public func write<Contents: AsyncSequence>(_ path: FerryPath, from contents: Contents) async throws -> UInt64
    where Contents.Element == ByteBuffer {
        let upload = try await self.run { try LocalUpload(in: self, for: path) }
        do {
            var offset: UInt64 = 0
            var pending = ByteBuffer()
            for try await chunk in contents {
                if pending.readableBytes == 0 && chunk.readableBytes >= Self.writeBatchSize {
                    try await self.run { [offset] in try upload.write(chunk, at: offset) }
                    offset += UInt64(chunk.readableBytes)
                    continue
                }
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= Self.writeBatchSize {
                    let batch = pending
                    try await self.run { [offset] in try upload.write(batch, at: offset) }
                    offset += UInt64(batch.readableBytes)
                    pending.clear()
                }
            }
            if pending.readableBytes > 0 {
                let batch = pending
                try await self.run { [offset] in try upload.write(batch, at: offset) }
                offset += UInt64(batch.readableBytes)
            }
            try await self.run { try upload.publish() }
            return offset
        } catch {
            // publish() cleans up after itself; discarding twice is harmless.
            try? await self.run { upload.discard() }
            throw error
        }
    }

    public func makeDirectory(_ path: FerryPath) async throws {
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard mkdirat(directory, name, 0o777) == 0 else {
                throw Self.error(errno, .makeDirectory, path)
            }
        }
    }

    public func removeDirectory(_ path: FerryPath) async throws {
        if path.isRoot {
            throw FerryError(.permissionDenied, "the root cannot be removed")
        }
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard unlinkat(directory, name, AT_REMOVEDIR) == 0 else {
                let number = errno
                throw Self.error(number == EEXIST ? ENOTEMPTY : number, .removeDirectory, path)
            }
        }
    }

    public func removeFile(_ path: FerryPath) async throws {
        if path.isRoot {
            throw FerryError(.isADirectory, "/ is a directory")
        }
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard unlinkat(directory, name, 0) == 0 else {
                throw Self.error(errno, .removeFile, path)
            }
        }
    }

    /// `renameat2`, with a fallback where the kernel or file system lacks `RENAME_NOREPLACE`. Blocking.
    static func rename(
        _ fromDirectory: CInt,
        _ fromName: String,
        _ toDirectory: CInt,
        _ toName: String,
        noReplace: Bool,
        _ path: FerryPath
    ) throws {
        guard noReplace else {
            guard renameat(fromDirectory, fromName, toDirectory, toName) == 0 else {
                throw Self.error(errno, .rename, path)
            }
            return
        }
        if LinuxSystemCalls.renameat2(fromDirectory, fromName, toDirectory, toName, renameNoReplace) == 0 {
            return
        }
        let number = errno
        guard number == ENOSYS || number == EINVAL || number == EOPNOTSUPP else {
            throw Self.error(number, .rename, path)
        }
        // No RENAME_NOREPLACE here: check, then rename. Another writer can slip in between; both stay beneath
        // the root.
        var existing = stat()
        if fstatat(toDirectory, toName, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            throw Self.error(EEXIST, .rename, path)
        }
        guard renameat(fromDirectory, fromName, toDirectory, toName) == 0 else {
            throw Self.error(errno, .rename, path)
        }
    }
}
#endif

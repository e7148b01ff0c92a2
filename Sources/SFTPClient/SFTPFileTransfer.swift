import NIOCore
import SFTPProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file copies between a local path and a remote path that never leave a half-written file under the
/// real name: the bytes go to a temporary name in the same directory, which is renamed into place once
/// complete (and flushed). An interrupted copy leaves only the temporary file, which `resume` continues.
public struct SFTPFileTransfer: Sendable {
    public let client: SFTPClient

    public init(client: SFTPClient) {
        self.client = client
    }

    /// What a copy did.
    public struct Result: Sendable, Equatable {
        /// The file's final length.
        public var size: UInt64
        /// The bytes that crossed the network (less than `size` after a resume).
        public var transferred: UInt64
        /// Where a resumed copy started.
        public var resumedFrom: UInt64

        public init(size: UInt64, transferred: UInt64, resumedFrom: UInt64) {
            self.size = size
            self.transferred = transferred
            self.resumedFrom = resumedFrom
        }
    }

    /// The temporary name a copy to `path` uses: hidden, next to it, recognisable.
    public static func partialName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return directory + "." + name + ".ferry-partial"
    }

    // MARK: Downloads

    /// Copies remote `remotePath` to local `localPath`.
    ///
    /// - Parameters:
    ///   - resume: continue a copy that was interrupted (the temporary file's bytes are kept when it is not
    ///     longer than the remote file); otherwise start over.
    ///   - preserve: give the local file the remote file's modification time and permission bits.
    public func download(
        _ remotePath: SFTPPath,
        to localPath: String,
        resume: Bool = false,
        preserve: Bool = false,
        progress: (@Sendable (_ done: UInt64, _ total: UInt64?) -> Void)? = nil
    ) async throws -> Result {
        let file = try await self.client.open(remotePath, flags: .read)
        do {
            let attributes = try await self.client.fstat(file)
            if let type = attributes.permissions?.fileType, type == .directory {
                throw SFTPClientError.status(code: .failure, message: "is a directory", path: remotePath.description)
            }
            let partial = Self.partialName(for: localPath)
            var start: UInt64 = 0
            var flags = O_WRONLY | O_CREAT | O_CLOEXEC
            if resume, let existing = Self.localSize(partial), let size = attributes.size, existing <= size {
                start = existing
            } else {
                flags |= O_TRUNC
            }
            let descriptor = open(partial, flags, 0o600)
            guard descriptor >= 0 else {
                throw SFTPClientError.localFile(path: partial, operation: "create", errno: errno)
            }
            let local = SFTPLocalFile(descriptor: descriptor, path: partial)
            let end: UInt64
            do {
                let total = attributes.size
                let base = start
                end = try await self.client.download(file, to: local, from: start, size: total) { done in
                    progress?(base + done, total)
                }
                if ftruncate(descriptor, off_t(end)) != 0 {
                    throw SFTPClientError.localFile(path: partial, operation: "truncate", errno: errno)
                }
                if fsync(descriptor) != 0 {
                    throw SFTPClientError.localFile(path: partial, operation: "flush", errno: errno)
                }
                if preserve {
                    try Self.applyLocal(attributes, descriptor: descriptor, path: partial)
                } else if let mode = attributes.permissions?.mode {
                    // Like OpenSSH's get: the remote mode, less the umask.
                    let mask = umask(0)
                    umask(mask)
                    fchmod(descriptor, mode_t(mode) & ~mask & 0o777)
                }
                close(descriptor)
            } catch {
                close(descriptor)
                throw error
            }
            if let size = attributes.size, end < size {
                throw SFTPClientError.status(
                    code: .failure,
                    message: "the file shrank during the copy (\(end) of \(size) bytes); the partial copy is kept",
                    path: remotePath.description
                )
            }
            if rename(partial, localPath) != 0 {
                throw SFTPClientError.localFile(path: localPath, operation: "rename into place", errno: errno)
            }
            try? await self.client.close(file)
            return Result(size: end, transferred: end - start, resumedFrom: start)
        } catch {
            try? await self.client.close(file)
            throw error
        }
    }

    // MARK: Uploads

    /// Copies local `localPath` to remote `remotePath`.
    ///
    /// The bytes go to ``partialName(for:)`` of `remotePath`, which is then renamed over `remotePath`
    /// (`posix-rename@openssh.com` when offered; else the old file is removed first). With `inPlace`, the bytes
    /// go straight to `remotePath` (for servers that forbid renames).
    public func upload(
        from localPath: String,
        to remotePath: SFTPPath,
        resume: Bool = false,
        preserve: Bool = false,
        inPlace: Bool = false,
        progress: (@Sendable (_ done: UInt64, _ total: UInt64?) -> Void)? = nil
    ) async throws -> Result {
        let descriptor = open(localPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SFTPClientError.localFile(path: localPath, operation: "open", errno: errno)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw SFTPClientError.localFile(path: localPath, operation: "stat", errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SFTPClientError.localFile(path: localPath, operation: "upload (not a regular file)", errno: EISDIR)
        }
        let total = UInt64(info.st_size)
        let target = inPlace ? remotePath : SFTPPath(Self.partialName(for: remotePath.description))
        var start: UInt64 = 0
        if resume, let existing = try await self.client.statIfExists(target)?.size, existing <= total {
            start = existing
        }
        let mode = UInt32(info.st_mode) & 0o777
        let flags: SFTPOpenFlags = start > 0 ? [.write] : [.write, .create, .truncate]
        let file = try await self.client.open(
            target,
            flags: flags,
            attributes: SFTPFileAttributes(permissions: SFTPPermissions(rawValue: mode))
        )
        let local = SFTPLocalFile(descriptor: descriptor, path: localPath)
        do {
            let base = start
            _ = try await self.client.upload(from: local, to: file, from: start) { done in
                progress?(base + done, total)
            }
            if preserve {
                try await self.client.fsetstat(
                    file,
                    SFTPFileAttributes(
                        permissions: SFTPPermissions(rawValue: mode),
                        times: .init(
                            accessTime: UInt32(clamping: info.st_atim.tv_sec),
                            modificationTime: UInt32(clamping: info.st_mtim.tv_sec)
                        )
                    )
                )
            }
            if self.client.supports("fsync@openssh.com") { try await self.client.fsync(file) }
        } catch {
            try? await self.client.close(file)
            throw error
        }
        try await self.client.close(file)
        if !inPlace { try await self.client.rename(target, to: remotePath, replacing: true) }
        return Result(size: total, transferred: total - start, resumedFrom: start)
    }

    // MARK: Local helpers

    static func localSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    static func applyLocal(_ attributes: SFTPFileAttributes, descriptor: Int32, path: String) throws {
        if let mode = attributes.permissions?.mode, fchmod(descriptor, mode_t(mode & 0o7777)) != 0 {
            throw SFTPClientError.localFile(path: path, operation: "set permissions", errno: errno)
        }
        if let times = attributes.times {
            var values = [
                timespec(tv_sec: time_t(times.accessTime), tv_nsec: 0),
                timespec(tv_sec: time_t(times.modificationTime), tv_nsec: 0),
            ]
            if futimens(descriptor, &values) != 0 {
                throw SFTPClientError.localFile(path: path, operation: "set times", errno: errno)
            }
        }
    }
}

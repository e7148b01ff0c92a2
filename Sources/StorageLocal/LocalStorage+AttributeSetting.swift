#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import Storage

extension LocalStorage {
    /// Changes permission bits with `fchmodat(AT_SYMLINK_NOFOLLOW)`; a symbolic link is refused
    /// (`unsupported`), never followed. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - permissions: The new bits.
    /// - Throws: ``FerryError``.
    public func setPermissions(_ path: FerryPath, to permissions: FilePermissions) async throws {
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard fchmodat(directory, name, mode_t(permissions.rawValue), AT_SYMLINK_NOFOLLOW) == 0 else {
                throw Self.error(errno, .setAttributes, path)
            }
        }
    }

    /// Changes owner and group with `fchownat(AT_SYMLINK_NOFOLLOW)`. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - uid: The new owner, or `nil`.
    ///   - gid: The new group, or `nil`.
    /// - Throws: ``FerryError``.
    public func setOwner(_ path: FerryPath, uid: UInt32?, gid: UInt32?) async throws {
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard fchownat(directory, name, uid ?? .max, gid ?? .max, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw Self.error(errno, .setAttributes, path)
            }
        }
    }

    /// Changes times with `utimensat(AT_SYMLINK_NOFOLLOW)`. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - accessTime: The new access time, or `nil`.
    ///   - modificationTime: The new modification time, or `nil`.
    /// - Throws: ``FerryError``.
    public func setTimes(
        _ path: FerryPath,
        accessTime: FileTimestamp?,
        modificationTime: FileTimestamp?
    )
        async throws
    {
        func systemTime(_ time: FileTimestamp?) -> timespec {
            guard let time else { return timespec(tv_sec: 0, tv_nsec: utimeOmit) }
            return timespec(tv_sec: Int(time.seconds), tv_nsec: Int(time.nanoseconds))
        }
        let times = [systemTime(accessTime), systemTime(modificationTime)]
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard utimensat(directory, name, times, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw Self.error(errno, .setAttributes, path)
            }
        }
    }

    /// Truncates or extends a file in place; a final symbolic link is followed beneath the root. See
    /// ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - size: The new size.
    /// - Throws: ``FerryError``.
    public func truncate(_ path: FerryPath, to size: UInt64) async throws {
        guard size <= UInt64(Int64.max) else {
            throw FerryError(.noSpace, "size beyond the largest file offset")
        }
        try await self.run {
            let descriptor = try self.openBeneath(
                path.components,
                flags: O_WRONLY | O_NONBLOCK | O_NOCTTY,
                followFinal: true,
                path: path
            )
            defer { close(descriptor) }
            _ = try Self.regularFileSize(descriptor, path)
            guard ftruncate(descriptor, off_t(size)) == 0 else {
                throw Self.error(errno, .write, path)
            }
        }
    }

    /// Reports the file system's space with `fstatvfs`. See ``SpaceReporting``.
    ///
    /// - Parameter path: Any entry on the file system of interest.
    /// - Returns: The figures.
    /// - Throws: ``FerryError``.
    public func spaceReport(for path: FerryPath) async throws -> SpaceReport {
        try await self.run {
            let descriptor = try self.openBeneath(path.components, flags: openPathOnly, followFinal: true, path: path)
            defer { close(descriptor) }
            var info = statvfs()
            guard fstatvfs(descriptor, &info) == 0 else {
                throw Self.error(errno, .statfs, path)
            }
            return SpaceReport(
                blockSize: UInt64(info.f_frsize),
                totalBlocks: UInt64(info.f_blocks),
                freeBlocks: UInt64(info.f_bfree),
                availableBlocks: UInt64(info.f_bavail),
                totalFiles: UInt64(info.f_files),
                freeFiles: UInt64(info.f_ffree),
                availableFiles: UInt64(info.f_favail),
                maximumNameLength: UInt64(info.f_namemax)
            )
        }
    }
}
#endif

#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import NIOCore

/// A file being written under a temporary name in its destination directory, renamed over the real name when
/// complete. Its methods block; call them on the thread pool.
///
/// The directory descriptor pins the directory that was resolved when the upload began: a directory swapped
/// for a symbolic link afterwards cannot redirect the rename.
final class LocalUpload: Sendable {
    let directory: OwnedDescriptor
    let file: OwnedDescriptor
    let temporaryName: String
    let name: String
    let path: FerryPath
    /// The permission bits to give the file before publishing, if not those it was created with.
    let permissions: mode_t?
    let syncs: Bool

    /// Creates the temporary file next to `path`'s entry.
    ///
    /// - Parameters:
    ///   - storage: The storage whose root `path` is beneath.
    ///   - path: The destination.
    ///   - failIfExists: Refuse early if an entry is at `path`.
    ///   - permissions: Bits for a new file; an existing regular file's bits win.
    init(in storage: LocalStorage, for path: FerryPath, failIfExists: Bool = false, permissions: mode_t? = nil) throws {
        if path.isRoot {
            throw FerryError(.isADirectory, "/ is a directory")
        }
        let (directory, name) = try storage.openParent(of: path, flags: O_RDONLY)
        let ownedDirectory = OwnedDescriptor(directory)
        var existing = stat()
        var kept = permissions
        if fstatat(directory, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            if existing.st_mode & S_IFMT == S_IFDIR {
                throw FerryError(.isADirectory, "\(path) is a directory")
            }
            if failIfExists {
                throw FerryError(.alreadyExists, "\(path) exists")
            }
            if existing.st_mode & S_IFMT == S_IFREG {
                kept = existing.st_mode & 0o7777
            }
        } else if errno != ENOENT {
            throw LocalStorage.error(errno, .stat, path)
        }
        var attempts = 0
        while true {
            let temporary = TemporaryName.make(for: name)
            let file = openat(directory, temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
            if file >= 0 {
                self.directory = ownedDirectory
                self.file = OwnedDescriptor(file)
                self.temporaryName = temporary
                break
            }
            attempts += 1
            guard errno == EEXIST, attempts < 8 else {
                throw LocalStorage.error(errno, .write, path)
            }
        }
        self.name = name
        self.path = path
        self.permissions = kept
        self.syncs = storage.syncsUploads
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ByteBuffer, at offset: UInt64) throws {
        guard offset.addingReportingOverflow(UInt64(bytes.readableBytes)).partialValue <= UInt64(Int64.max) else {
            throw FerryError(.noSpace, "write beyond the largest file offset")
        }
        let failure = bytes.withUnsafeReadableBytes { raw -> CInt? in
            var done = 0
            while done < raw.count {
                let result = pwrite(
                    self.file.raw,
                    raw.baseAddress! + done,
                    raw.count - done,
                    off_t(offset) + off_t(done)
                )
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += result
            }
            return nil
        }
        if let failure {
            throw LocalStorage.error(failure, .write, self.path)
        }
    }

    /// The current size of the temporary file.
    func size() throws -> UInt64 {
        var info = stat()
        guard fstat(self.file.raw, &info) == 0 else {
            throw LocalStorage.error(errno, .stat, self.path)
        }
        return UInt64(max(0, info.st_size))
    }

    func truncate(to size: UInt64) throws {
        guard size <= UInt64(Int64.max), ftruncate(self.file.raw, off_t(size)) == 0 else {
            throw LocalStorage.error(size > UInt64(Int64.max) ? EFBIG : errno, .write, self.path)
        }
    }

    func sync() throws {
        guard fsync(self.file.raw) == 0 else {
            throw LocalStorage.error(errno, .sync, self.path)
        }
    }

    /// Makes the file durable and renames it over the real name; on failure the temporary file is removed.
    ///
    /// - Parameter noReplace: Fail with `alreadyExists` instead of replacing an existing entry.
    func publish(noReplace: Bool = false) throws {
        do {
            if self.syncs {
                try self.sync()
            }
            if let permissions, fchmod(self.file.raw, permissions) != 0 {
                throw LocalStorage.error(errno, .setAttributes, self.path)
            }
            try LocalStorage.rename(
                self.directory.raw,
                self.temporaryName,
                self.directory.raw,
                self.name,
                noReplace: noReplace,
                self.path
            )
        } catch {
            self.discard()
            throw error
        }
        if self.syncs {
            _ = fsync(self.directory.raw)
        }
    }

    /// Removes the temporary file; nothing appears under the real name.
    func discard() {
        _ = unlinkat(self.directory.raw, self.temporaryName, 0)
    }
}
#endif

#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore

extension LocalStorage {
    /// The deepest directory the sweep descends into.
    private static let sweepDepth = 512

    /// Removes temporary upload files that a crash left behind anywhere below the root.
    ///
    /// Run it at startup: a file is removed only if its last modification is older than `age`, which spares
    /// uploads another process has in progress. Symbolic links are never followed.
    ///
    /// - Parameter age: How long a temporary file must have been left untouched.
    /// - Returns: How many files were removed.
    /// - Throws: ``FerryError`` if the root cannot be read.
    @discardableResult
    public func removeAbandonedUploads(olderThan age: Duration) async throws -> Int {
        let cutoff = FileTimestamp.now().seconds - age.components.seconds
        return try await self.run {
            let start = openat(self.root.raw, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard start >= 0 else {
                throw Self.error(errno, .list, .root)
            }
            return Self.sweep(start, depth: 0, cutoff: cutoff)
        }
    }

    /// Sweeps one directory and, depth first, those below it; takes ownership of `descriptor`.
    private static func sweep(_ descriptor: CInt, depth: Int, cutoff: Int64) -> Int {
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            return 0
        }
        defer { closedir(stream) }
        let directory = dirfd(stream)
        var removed = 0
        while let entry = readdir(stream) {
            removed += withUnsafeBytes(of: entry.pointee.d_name) { raw -> Int in
                let bytes = Array(raw.prefix { $0 != 0 })
                if bytes == [0x2E] || bytes == [0x2E, 0x2E] { return 0 }
                let name = String(decoding: bytes, as: UTF8.self)
                var info = stat()
                guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return 0 }
                switch info.st_mode & S_IFMT {
                case S_IFDIR where depth < Self.sweepDepth:
                    let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    return child >= 0 ? Self.sweep(child, depth: depth + 1, cutoff: cutoff) : 0
                case S_IFREG where TemporaryName.matches(name) && Int64(info.st_mtim.tv_sec) <= cutoff:
                    return unlinkat(directory, name, 0) == 0 ? 1 : 0
                default:
                    return 0
                }
            }
        }
        return removed
    }
}
#endif

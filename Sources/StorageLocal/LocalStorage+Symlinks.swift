#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import Storage

extension LocalStorage {
    /// Creates a symbolic link with `symlinkat`. The target is stored as given; it is only ever followed
    /// beneath the root. See ``Symlinking``.
    ///
    /// - Parameters:
    ///   - path: Where the link goes.
    ///   - target: What it points to.
    /// - Throws: ``FerryError``.
    public func createSymlink(at path: FerryPath, target: String) async throws {
        let bytes = target.utf8
        guard !bytes.isEmpty, !bytes.contains(0), bytes.count < Int(PATH_MAX) else {
            throw FerryError(.invalidArgument, "a link target must be 1 to \(PATH_MAX - 1) bytes without NUL")
        }
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard symlinkat(target, directory, name) == 0 else {
                throw Self.error(errno, .symlink, path)
            }
        }
    }

    /// Returns a symbolic link's target. See ``Symlinking``.
    ///
    /// - Parameter path: The link.
    /// - Returns: Its target, decoded as UTF-8 (invalid bytes replaced).
    /// - Throws: ``FerryError`` (`invalidArgument` if the entry is not a link…).
    public func readSymlink(_ path: FerryPath) async throws -> String {
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            return try Self.linkTarget(directory, name, path)
        }
    }

    /// Returns attributes, following symbolic links beneath the root; with ``PathResolution/componentWalk``
    /// a symbolic link anywhere in the path is refused. See ``Symlinking``.
    ///
    /// - Parameter path: The entry.
    /// - Returns: The attributes of what the path finally names.
    /// - Throws: ``FerryError``.
    public func attributesFollowingSymlinks(of path: FerryPath) async throws -> FileAttributes {
        try await self.run {
            let descriptor = try self.openBeneath(path.components, flags: openPathOnly, followFinal: true, path: path)
            defer { close(descriptor) }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                throw Self.error(errno, .stat, path)
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                throw Self.error(ELOOP, .resolve, path)
            }
            return Self.attributes(info)
        }
    }
}
#endif

import FerryCore
import Storage

extension VFSSession {
    /// Normalises a path the client wrote, relative to the home directory. Does not look at storage.
    ///
    /// - Parameter input: The path as written; relative paths start at ``home``.
    /// - Returns: The absolute user path; `..` never climbs above `/`.
    /// - Throws: ``VFSError`` with code ``VFSError/Code/invalidArgument`` for NUL, bad UTF-8 or a path too long.
    public nonisolated func realpath(_ input: String) throws -> FerryPath {
        do {
            return try FerryPath(parsing: input, relativeTo: self.home)
        } catch {
            throw VFSError.converting(error)
        }
    }

    /// Normalises a path received as bytes (SFTP, FTP), relative to the home directory.
    ///
    /// - Parameter bytes: The path as sent.
    /// - Returns: The absolute user path.
    /// - Throws: ``VFSError`` with code ``VFSError/Code/invalidArgument`` for a malformed path.
    public nonisolated func realpath(bytes: some Collection<UInt8>) throws -> FerryPath {
        do {
            return try FerryPath(parsing: bytes, relativeTo: self.home)
        } catch {
            throw VFSError.converting(error)
        }
    }

    /// Returns an entry's attributes without following a final symbolic link (`lstat`).
    ///
    /// Needs ``VFSPermission/list`` on the entry's directory. Mount points and the directories above them are
    /// directories even where no backend has them.
    ///
    /// - Parameter path: A user path.
    /// - Returns: The attributes.
    /// - Throws: ``VFSError``.
    public func linkAttributes(of path: FerryPath) async throws -> FileAttributes {
        try await self.attributes(of: path, followingSymlinks: false)
    }

    /// Returns an entry's attributes, following symbolic links where the backend has them (`stat`).
    ///
    /// - Parameter path: A user path.
    /// - Returns: The attributes of what the path finally names.
    /// - Throws: ``VFSError``.
    public func attributes(of path: FerryPath) async throws -> FileAttributes {
        try await self.attributes(of: path, followingSymlinks: true)
    }

    func attributes(of path: FerryPath, followingSymlinks: Bool) async throws -> FileAttributes {
        try self.permissions.check(.list, path: path.parent ?? path)
        return try await self.storageAttributes(of: path, followingSymlinks: followingSymlinks)
    }

    /// The attributes without a permission check; a missing entry throws `noSuchFile`.
    func storageAttributes(of path: FerryPath, followingSymlinks: Bool) async throws -> FileAttributes {
        let resolved = self.mounts.resolve(path)
        do {
            if followingSymlinks, let links = resolved.storage as? any Symlinking {
                return try await links.attributesFollowingSymlinks(of: resolved.storagePath)
            }
            return try await resolved.storage.attributes(of: resolved.storagePath)
        } catch let error as FerryError where error.code == .notFound && self.mounts.holdsMountPoint(path) {
            return FileAttributes(kind: .directory, permissions: 0o755)
        } catch {
            throw VFSError.converting(error)
        }
    }

    /// The kind of the entry at a path (not following a final link), or `nil` if there is none.
    func existingKind(_ path: FerryPath) async throws -> FileKind? {
        do {
            return try await self.storageAttributes(of: path, followingSymlinks: false).kind
        } catch let error as VFSError where error.code == .noSuchFile {
            return nil
        }
    }

    /// Lists one page of a directory. Needs ``VFSPermission/list`` on the directory.
    ///
    /// The first page also carries the mount points and the directories above them that lie directly in this
    /// directory (so it may exceed `pageSize` by their number); entries of the backend with the same names are
    /// hidden. Pages are never empty before the end.
    ///
    /// - Parameters:
    ///   - directory: A user path.
    ///   - pageSize: The most backend entries per page.
    ///   - continuation: `nil` first, then what the previous page returned.
    /// - Returns: The page.
    /// - Throws: ``VFSError``.
    public func list(
        _ directory: FerryPath,
        pageSize: Int = 1000,
        after continuation: ListingContinuation? = nil
    ) async throws -> DirectoryPage {
        try self.permissions.check(.list, path: directory)
        let virtualNames = self.mounts.virtualEntries(in: directory)
        let hidden = Set(virtualNames)
        var entries: [FileInfo] = []
        if continuation == nil {
            entries = virtualNames.map { FileInfo(name: $0, attributes: FileAttributes(kind: .directory)) }
        }
        let resolved = self.mounts.resolve(directory)
        var next = continuation
        repeat {
            let page: DirectoryPage
            do {
                page = try await resolved.storage.list(resolved.storagePath, pageSize: pageSize, after: next)
            } catch let error as FerryError where error.code == .notFound && !virtualNames.isEmpty {
                return DirectoryPage(entries: entries, continuation: nil)
            } catch {
                throw VFSError.converting(error)
            }
            entries += page.entries.filter { !hidden.contains($0.name) }
            next = page.continuation
        } while entries.isEmpty && next != nil
        return DirectoryPage(entries: entries, continuation: next)
    }
}

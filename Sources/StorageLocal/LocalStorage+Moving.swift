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
    /// Starts a file built with writes at any offset. See ``RandomAccessWriting``.
    ///
    /// - Parameters:
    ///   - path: Where the file goes when published.
    ///   - initialContents: Start empty or from a copy of the current file.
    /// - Returns: The handle.
    /// - Throws: ``FerryError`` (`isADirectory`, `notFound`…).
    public func openForWriting(
        _ path: FerryPath,
        initialContents: InitialContents
    ) async throws
        -> any RandomAccessWriteHandle
    {
        let upload = try await self.run { () throws -> LocalUpload in
            let upload = try LocalUpload(in: self, for: path)
            guard initialContents == .existing else { return upload }
            do {
                try self.copyContents(of: path, into: upload, missingIsEmpty: true)
            } catch {
                upload.discard()
                throw error
            }
            return upload
        }
        return LocalWriteHandle(storage: self, upload: upload)
    }

    /// Moves an entry with `renameat2`. See ``ServerSideMoving``.
    ///
    /// - Parameters:
    ///   - source: The entry.
    ///   - destination: Its new path.
    ///   - ifExists: Replace or fail on an existing destination.
    /// - Throws: ``FerryError``.
    public func move(
        _ source: FerryPath,
        to destination: FerryPath,
        ifExists: DestinationConflictPolicy
    )
        async throws
    {
        if source.isRoot || destination.isRoot {
            throw FerryError(.invalidArgument, "the root cannot be moved or replaced")
        }
        try await self.run {
            let (sourceDirectory, sourceName) = try self.openParent(of: source)
            defer { close(sourceDirectory) }
            let (destinationDirectory, destinationName) = try self.openParent(of: destination)
            defer { close(destinationDirectory) }
            try Self.rename(
                sourceDirectory,
                sourceName,
                destinationDirectory,
                destinationName,
                noReplace: ifExists == .fail,
                source
            )
        }
    }

    /// Copies a file through a temporary file, without the bytes leaving the thread pool. See
    /// ``ServerSideCopying``.
    ///
    /// - Parameters:
    ///   - source: The file; a final symbolic link is followed beneath the root.
    ///   - destination: Where the copy goes.
    ///   - ifExists: Replace or fail on an existing destination.
    /// - Throws: ``FerryError``.
    public func copy(
        _ source: FerryPath,
        to destination: FerryPath,
        ifExists: DestinationConflictPolicy
    )
        async throws
    {
        try await self.run {
            let upload = try LocalUpload(in: self, for: destination, failIfExists: ifExists == .fail)
            do {
                try self.copyContents(of: source, into: upload, missingIsEmpty: false)
                try upload.publish(noReplace: ifExists == .fail)
            } catch {
                upload.discard()
                throw error
            }
        }
    }

    /// Copies the regular file at `path` into `upload`. Blocking.
    private func copyContents(of path: FerryPath, into upload: LocalUpload, missingIsEmpty: Bool) throws {
        let source: CInt
        do {
            source = try self.openBeneath(
                path.components,
                flags: O_RDONLY | O_NONBLOCK | O_NOCTTY,
                followFinal: true,
                path: path
            )
        } catch let error as FerryError where error.code == .notFound && missingIsEmpty {
            return
        }
        defer { close(source) }
        let size = try Self.regularFileSize(source, path)
        let chunk = 1 << 20
        var offset: UInt64 = 0
        while offset < size {
            let bytes = try Self.readBytes(source, at: offset, count: Int(min(UInt64(chunk), size - offset)), path)
            if bytes.readableBytes == 0 { break }
            try upload.write(bytes, at: offset)
            offset += UInt64(bytes.readableBytes)
        }
    }

    /// Creates a hard link with `linkat`, never following a symbolic link. See ``HardLinking``.
    ///
    /// - Parameters:
    ///   - path: The new name.
    ///   - existing: The file it names.
    /// - Throws: ``FerryError``.
    public func createHardLink(at path: FerryPath, to existing: FerryPath) async throws {
        if existing.isRoot {
            throw FerryError(.permissionDenied, "directories cannot be hard-linked")
        }
        try await self.run {
            let (sourceDirectory, sourceName) = try self.openParent(of: existing)
            defer { close(sourceDirectory) }
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            guard linkat(sourceDirectory, sourceName, directory, name, 0) == 0 else {
                throw Self.error(errno, .link, path)
            }
        }
    }
}
#endif

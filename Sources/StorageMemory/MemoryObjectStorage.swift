import FerryCore
import NIOCore
import Storage

/// An in-memory store with object-store semantics, to prove upper layers against S3-like backends.
///
/// Files are written whole and in sequence only (no ``RandomAccessWriting``); there is no rename, no symbolic
/// or hard link and no attribute change; a copy is the one server-side operation. Directories are prefixes:
/// writing `a/b/c` makes `a` and `a/b` appear, ``makeDirectory(_:)`` leaves a marker that keeps an empty
/// directory, and a directory that only existed because of its entries disappears with the last one.
/// Attributes carry size, kind and modification time of files only.
public final class MemoryObjectStorage: Storage {
    let engine: MemoryEngine

    /// Creates an empty store.
    ///
    /// - Parameters:
    ///   - capacity: The most bytes all objects together may hold; writes beyond it fail with `noSpace`.
    ///   - clock: Where modification times come from.
    public init(capacity: UInt64? = nil, clock: @escaping @Sendable () -> FileTimestamp = { FileTimestamp.now() }) {
        self.engine = MemoryEngine(semantics: .objectStore, capacity: capacity, uid: 0, gid: 0, clock: clock)
    }

    public func attributes(of path: FerryPath) async throws -> FileAttributes {
        try self.engine.withTree { try $0.attributes(of: path, followFinal: false) }
    }

    public func list(
        _ directory: FerryPath,
        pageSize: Int,
        after continuation: ListingContinuation?
    ) async throws
        -> DirectoryPage
    {
        try self.engine.withTree { try $0.list(directory, pageSize: pageSize, after: continuation) }
    }

    public func read(_ path: FerryPath, at offset: UInt64, count: Int) async throws -> ByteBuffer {
        try self.engine.withTree { try $0.read(path, at: offset, count: count) }
    }

    @discardableResult
    public func write<Contents: AsyncSequence>(_ path: FerryPath, from contents: Contents) async throws -> UInt64
    where Contents.Element == ByteBuffer {
        try await self.engine.write(path, from: contents)
    }

    public func makeDirectory(_ path: FerryPath) async throws {
        try self.engine.withTree { try $0.makeDirectory(path) }
    }

    public func removeDirectory(_ path: FerryPath) async throws {
        try self.engine.withTree { try $0.removeDirectory(path) }
    }

    public func removeFile(_ path: FerryPath) async throws {
        try self.engine.withTree { try $0.removeFile(path) }
    }
}

// Everything MemoryObjectStorage offers beyond the required primitives, in one list.
extension MemoryObjectStorage: ServerSideCopying {
    /// Copies an object. See ``ServerSideCopying``.
    ///
    /// - Parameters:
    ///   - source: The object.
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
        try self.engine.withTree { try $0.copy(source, to: destination, ifExists: ifExists) }
    }
}

import FerryCore
import NIOCore
import Storage

/// An in-memory tree with POSIX semantics and every capability: random-access writes, moves, copies, symbolic
/// and hard links, attribute changes and a space report.
///
/// For tests and demonstrations. ``MemoryObjectStorage`` is its object-store twin.
public final class MemoryStorage: Storage {
    let engine: MemoryEngine

    /// Creates an empty tree.
    ///
    /// - Parameters:
    ///   - capacity: The most bytes all files together may hold; writes beyond it fail with `noSpace`.
    ///   - uid: The owner of new entries.
    ///   - gid: The group of new entries.
    ///   - clock: Where modification times come from.
    public init(
        capacity: UInt64? = nil,
        uid: UInt32 = 0,
        gid: UInt32 = 0,
        clock: @escaping @Sendable () -> FileTimestamp = { FileTimestamp.now() }
    ) {
        self.engine = MemoryEngine(semantics: .posix, capacity: capacity, uid: uid, gid: gid, clock: clock)
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

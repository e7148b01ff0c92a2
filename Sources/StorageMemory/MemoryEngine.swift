import FerryCore
import NIOCore
import Storage
import Synchronization

/// The lock-protected tree behind ``MemoryStorage`` and ``MemoryObjectStorage``.
final class MemoryEngine: Sendable {
    private let tree: Mutex<MemoryTree>

    init(
        semantics: MemoryTree.Semantics,
        capacity: UInt64?,
        uid: UInt32,
        gid: UInt32,
        clock: @escaping @Sendable () -> FileTimestamp
    ) {
        self.tree = Mutex(MemoryTree(semantics: semantics, capacity: capacity, uid: uid, gid: gid, clock: clock))
    }

    /// Runs `body` with the tree locked.
    func withTree<Result: Sendable>(_ body: (inout MemoryTree) throws -> Result) throws -> Result {
        try self.tree.withLock { tree in try body(&tree) }
    }

    /// The most bytes one file may hold.
    var maximumFileSize: UInt64 {
        self.tree.withLock { $0.capacity ?? MemoryTree.maximumFileSize }
    }

    func write<Contents: AsyncSequence>(_ path: FerryPath, from contents: Contents) async throws -> UInt64
    where Contents.Element == ByteBuffer {
        try self.withTree { try $0.checkWritable(path) }
        let limit = self.maximumFileSize
        var data = ByteBuffer()
        for try await chunk in contents {
            if UInt64(data.readableBytes + chunk.readableBytes) > limit {
                throw FerryError(.noSpace, "file larger than the storage holds")
            }
            data.writeImmutableBuffer(chunk)
        }
        let complete = data
        try self.withTree { try $0.commitFile(path, data: complete) }
        return UInt64(complete.readableBytes)
    }
}

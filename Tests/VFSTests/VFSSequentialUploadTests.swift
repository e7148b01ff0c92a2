import FerryCore
import NIOCore
import Storage
import StorageMemory
import Synchronization
import Testing
import VFS

@Suite struct VFSSequentialUploadTests {
    @Test func outOfOrderWritesArriveInOrder() async throws {
        let storage = MemoryObjectStorage()
        let session = try makeSession(storage, limits: VFSLimits(reorderWindow: 16))
        let text = (0..<40).map { _ in "0123456789" }.joined()
        let chunkSize = 10
        let handle = try await session.openForWriting(try path("/dir/object"), flags: [.create, .truncate])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: text.utf8.count, by: chunkSize).reversed() {
                let chunk = ByteBuffer(bytes: Array(text.utf8)[start..<start + chunkSize])
                group.addTask { try await session.write(handle, bytes: chunk, at: UInt64(start)) }
            }
            try await group.waitForAll()
        }
        #expect(try await !exists(storage, "/dir/object"))
        try await session.close(handle)
        #expect(try await contents(storage, "/dir/object") == text)
    }

    @Test func aWriteBeyondTheWindowWaitsForTheGap() async throws {
        let storage = MemoryObjectStorage()
        let session = try makeSession(storage, limits: VFSLimits(reorderWindow: 4))
        let handle = try await session.openForWriting(try path("/o"), flags: [.create])
        let finished = Flag()
        let late = Task {
            try await session.write(handle, bytes: buffer("89"), at: 8)
            finished.set()
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(!finished.isSet)
        try await session.write(handle, bytes: buffer("0123"), at: 0)
        #expect(!finished.isSet)
        try await session.write(handle, bytes: buffer("4567"), at: 4)
        try await late.value
        try await session.close(handle)
        #expect(try await contents(storage, "/o") == "0123456789")
    }

    @Test func aGapAtCloseAbortsTheUpload() async throws {
        let storage = MemoryObjectStorage()
        try await storage.write(try path("/o"), bytes: buffer("before"))
        let events = VFSRecordingEventSink()
        let session = try makeSession(storage, events: events)
        let handle = try await session.openForWriting(try path("/o"), flags: [.create, .truncate])
        try await session.write(handle, bytes: buffer("abcd"), at: 0)
        try await session.write(handle, bytes: buffer("ijkl"), at: 8)
        let error = await #expect(throws: VFSError.self) { try await session.close(handle) }
        #expect(error?.code == .invalidArgument)
        #expect(try await contents(storage, "/o") == "before")
        guard case .uploadFailed = events.events.last else {
            Issue.record("expected a failed upload: \(events.events)")
            return
        }
        #expect(await session.openHandleCount == 0)
    }

    @Test func anObjectCannotBeChangedInPlace() async throws {
        let storage = MemoryObjectStorage()
        try await storage.write(try path("/o"), bytes: buffer("before"))
        let session = try makeSession(storage)
        let error = await #expect(throws: VFSError.self) {
            _ = try await session.openForWriting(try path("/o"), flags: [.create])
        }
        #expect(error?.code == .unsupported)
        #expect(await session.openHandleCount == 0)
    }

    @Test func anOpenUploadIsDiscardedWhenTheSessionEnds() async throws {
        let storage = MemoryObjectStorage()
        let session = try makeSession(storage, limits: VFSLimits(reorderWindow: 4))
        let handle = try await session.openForWriting(try path("/o"), flags: [.create])
        try await session.write(handle, bytes: buffer("0123"), at: 0)
        let waiting = Task { try await session.write(handle, bytes: buffer("x"), at: 100) }
        try await Task.sleep(for: .milliseconds(20))
        await session.closeAll()
        await #expect(throws: VFSError.self) { try await waiting.value }
        #expect(try await !exists(storage, "/o"))
    }
}

/// A flag one task sets and another reads.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { self.value.store(true, ordering: .sequentiallyConsistent) }

    var isSet: Bool { self.value.load(ordering: .sequentiallyConsistent) }
}

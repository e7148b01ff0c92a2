import FerryCore
import Foundation
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSAtomicUploadTests {
    @Test func anUploadLeftOpenLeavesNothingBehind() async throws {
        try await withPOSIXBackends { storage in
            try await storage.write(try path("/kept"), bytes: buffer("original"))
            let events = VFSRecordingEventSink()
            let session = try makeSession(storage, events: events)
            let replacing = try await session.openForWriting(try path("/kept"), flags: [.create, .truncate])
            try await session.write(replacing, bytes: buffer("partial"), at: 0)
            let fresh = try await session.openForWriting(try path("/fresh"), flags: [.create])
            try await session.write(fresh, bytes: buffer("partial"), at: 0)
            await session.closeAll()

            #expect(try await contents(storage, "/kept") == "original")
            #expect(try await !exists(storage, "/fresh"))
            #expect(try await storage.listAll(.root).map(\.name) == ["kept"])
            #expect(await session.openHandleCount == 0)
            #expect(
                events.events == [
                    .uploadAborted(path: try path("/kept"), bytes: 7),
                    .uploadAborted(path: try path("/fresh"), bytes: 7),
                ]
            )
            let after = await #expect(throws: VFSError.self) {
                _ = try await session.openForWriting(try path("/late"), flags: [.create])
            }
            #expect(after != nil)
        }
    }

    @Test func localDiskKeepsNoTemporaryFile() async throws {
        try await withLocalStorage { storage, directory in
            try await storage.write(try path("/kept"), bytes: buffer("original"))
            let session = try makeSession(storage)
            let handle = try await session.openForWriting(try path("/kept"), flags: [.create, .truncate])
            try await session.write(handle, bytes: buffer("partial"), at: 0)
            await session.closeAll()
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["kept"])
            #expect(try String(contentsOfFile: directory + "/kept", encoding: .utf8) == "original")
        }
    }

    @Test func nothingIsVisibleBeforeCloseAndEverythingAfter() async throws {
        let storage = MemoryStorage()
        let events = VFSRecordingEventSink()
        let session = try makeSession(storage, events: events)
        let handle = try await session.openForWriting(try path("/f"), flags: [.create, .exclusive])
        try await session.write(handle, bytes: buffer("world"), at: 6)
        try await session.write(handle, bytes: buffer("hello "), at: 0)
        #expect(try await !exists(storage, "/f"))
        #expect(String(buffer: try await session.read(handle, at: 0, count: 100)) == "hello world")
        try await session.close(handle)
        #expect(try await contents(storage, "/f") == "hello world")
        guard case .uploadCompleted(let uploaded, let bytes, _) = events.events.first else {
            Issue.record("no upload event: \(events.events)")
            return
        }
        #expect(uploaded == (try path("/f")))
        #expect(bytes == 11)
        let closedTwice = await #expect(throws: VFSError.self) { try await session.close(handle) }
        #expect(closedTwice?.code == .invalidHandle)
    }

    @Test func changesAreReported() async throws {
        let storage = MemoryStorage()
        let events = VFSRecordingEventSink()
        let session = try makeSession(storage, events: events)
        try await session.makeDirectory(try path("/d"))
        try await storage.write(try path("/d/a"), bytes: buffer("a"))
        try await session.rename(try path("/d/a"), to: try path("/d/b"))
        let reading = try await session.openForReading(try path("/d/b"))
        #expect(String(buffer: try await session.read(reading, at: 0, count: 10)) == "a")
        try await session.close(reading)
        try await session.remove(try path("/d/b"))
        try await session.removeDirectory(try path("/d"))
        let kinds = events.events.map { event -> String in
            switch event {
            case .directoryCreated(let path): "mkdir \(path)"
            case .renamed(let from, let to): "rename \(from) \(to)"
            case .downloadCompleted(let path, let bytes, _): "download \(path) \(bytes)"
            case .removed(let path): "rm \(path)"
            case .directoryRemoved(let path): "rmdir \(path)"
            default: "other"
            }
        }
        #expect(kinds == ["mkdir /d", "rename /d/a /d/b", "download /d/b 1", "rm /d/b", "rmdir /d"])
    }
}

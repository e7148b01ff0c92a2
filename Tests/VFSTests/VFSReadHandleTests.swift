import FerryCore
import NIOCore
import Storage
import StorageLocal
import Testing
import VFS

@Suite struct VFSReadHandleTests {
    @Test func aDownloadReadsOneVersionEvenWhenTheNameIsReplacedMidway() async throws {
        try await withLocalStorage { storage, _ in
            let session = try makeSession(storage)
            let old = String(repeating: "o", count: 100_000)
            let new = String(repeating: "n", count: 100_000)
            _ = try await storage.write(try path("/f"), bytes: buffer(old))
            let reader = try await session.openForReading(try path("/f"))
            let first = try await session.read(reader, at: 0, count: 50_000)
            // A complete upload replaces the name, as an atomic upload from another client does.
            let writer = try await session.openForWriting(try path("/f"), flags: [.create, .truncate])
            try await session.write(writer, bytes: buffer(new), at: 0)
            try await session.close(writer)
            let second = try await session.read(reader, at: 50_000, count: 50_000)
            try await session.close(reader)
            #expect(String(buffer: first) + String(buffer: second) == old)
            #expect(try await contents(storage, "/f") == new)
        }
    }

    @Test func aLocalReadHandleRefusesDirectoriesAndReadsAfterClose() async throws {
        try await withLocalStorage { storage, _ in
            try await storage.makeDirectory(try path("/d"))
            await #expect(throws: FerryError.self) { _ = try await storage.openForReading(try path("/d")) }
            _ = try await storage.write(try path("/f"), bytes: buffer("abc"))
            let handle = try await storage.openForReading(try path("/f"))
            #expect(String(buffer: try await handle.read(at: 1, count: 10)) == "bc")
            #expect(try await handle.read(at: 3, count: 10).readableBytes == 0)
            await handle.close()
            await #expect(throws: FerryError.self) { _ = try await handle.read(at: 0, count: 1) }
        }
    }

    @Test func closingTheSessionReleasesOpenDownloads() async throws {
        try await withLocalStorage { storage, _ in
            let session = try makeSession(storage)
            _ = try await storage.write(try path("/f"), bytes: buffer("abc"))
            let reader = try await session.openForReading(try path("/f"))
            await session.closeAll()
            await #expect(throws: VFSError.self) { _ = try await session.read(reader, at: 0, count: 1) }
        }
    }
}

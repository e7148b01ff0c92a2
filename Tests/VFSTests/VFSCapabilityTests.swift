import FerryCore
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSCapabilityTests {
    @Test func whatAnObjectStoreLacksIsUnsupported() async throws {
        let storage = MemoryObjectStorage()
        try await storage.write(try path("/o"), bytes: buffer("o"))
        try await storage.write(try path("/d/x"), bytes: buffer("x"))
        let session = try makeSession(storage)
        let attempts: [(String, @Sendable () async throws -> Void)] = [
            ("rename a directory", { try await session.rename(try path("/d"), to: try path("/e")) }),
            ("symlink", { try await session.symlink(at: try path("/l"), target: "o") }),
            ("readlink", { _ = try await session.readSymlink(try path("/o")) }),
            ("chmod", { try await session.setAttributes(try path("/o"), VFSAttributeChanges(permissions: 0o600)) }),
            ("statvfs", { _ = try await session.spaceReport(for: .root) }),
        ]
        for (name, attempt) in attempts {
            let error = await #expect(throws: VFSError.self, "\(name)") { try await attempt() }
            #expect(error?.code == .unsupported, "\(name)")
        }
        #expect(try await contents(storage, "/o") == "o")
        #expect(try await contents(storage, "/d/x") == "x")
    }

    @Test func anObjectStoreRenamesAFileByCopyingThenDeleting() async throws {
        let storage = MemoryObjectStorage()
        try await storage.write(try path("/a"), bytes: buffer("A"))
        try await storage.write(try path("/b"), bytes: buffer("B"))
        let session = try makeSession(storage)
        let clash = await #expect(throws: VFSError.self) {
            try await session.rename(try path("/a"), to: try path("/b"), noReplace: true)
        }
        #expect(clash?.code == .alreadyExists)
        #expect(try await contents(storage, "/a") == "A")
        try await session.rename(try path("/a"), to: try path("/b"))
        #expect(try await contents(storage, "/b") == "A")
        #expect(try await exists(storage, "/a") == false)
        try await session.rename(try path("/b"), to: try path("/c"), noReplace: true)
        #expect(try await contents(storage, "/c") == "A")
    }

    @Test func aPOSIXBackendOffersThemAll() async throws {
        let storage = MemoryStorage()
        try await storage.write(try path("/o"), bytes: buffer("o"))
        let session = try makeSession(storage)
        try await session.symlink(at: try path("/l"), target: "o")
        #expect(try await session.readSymlink(try path("/l")) == "o")
        #expect(try await session.linkAttributes(of: try path("/l")).kind == .symlink)
        #expect(try await session.attributes(of: try path("/l")).kind == .file)
        try await session.setAttributes(try path("/o"), VFSAttributeChanges(permissions: 0o600))
        #expect(try await storage.attributes(of: try path("/o")).permissions == 0o600)
        try await session.rename(try path("/o"), to: try path("/p"), noReplace: true)
        try await storage.write(try path("/q"), bytes: buffer("q"))
        let clash = await #expect(throws: VFSError.self) {
            try await session.rename(try path("/p"), to: try path("/q"), noReplace: true)
        }
        #expect(clash?.code == .alreadyExists)
        _ = try await session.spaceReport(for: .root)
    }

    @Test func concurrentOpensRespectTheHandleLimit() async throws {
        let storage = MemoryStorage()
        try await storage.write(try path("/f"), bytes: buffer("f"))
        let session = try makeSession(storage, limits: VFSLimits(maximumHandles: 3))
        let opened = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask { (try? await session.openForReading(try path("/f"))) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 3)
        #expect(await session.openHandleCount == 3)
    }

    @Test func aFailedWriteIsReportedAndNothingIsPublished() async throws {
        let storage = MemoryStorage(capacity: 4)
        let events = VFSRecordingEventSink()
        let session = try makeSession(storage, events: events)
        let handle = try await session.openForWriting(try path("/f"), flags: [.create])
        await #expect(throws: VFSError.self) { try await session.write(handle, bytes: buffer("too long"), at: 0) }
        await #expect(throws: VFSError.self) { try await session.close(handle) }
        #expect(try await !exists(storage, "/f"))
        guard case .uploadFailed(let failed, _, _) = events.events.last else {
            Issue.record("expected a failed upload: \(events.events)")
            return
        }
        #expect(failed == (try path("/f")))
    }
}

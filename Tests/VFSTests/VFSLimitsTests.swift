import FerryCore
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSLimitsTests {
    @Test func theHandleTableIsBounded() async throws {
        let storage = MemoryStorage()
        try await storage.write(try path("/f"), bytes: buffer("f"))
        let session = try makeSession(storage, limits: VFSLimits(maximumHandles: 2))
        let first = try await session.openForReading(try path("/f"))
        _ = try await session.openForWriting(try path("/g"), flags: [.create])
        let error = await #expect(throws: VFSError.self) { _ = try await session.openForReading(try path("/f")) }
        #expect(error?.code == .tooManyHandles)
        try await session.close(first)
        _ = try await session.openForReading(try path("/f"))
        #expect(await session.openHandleCount == 2)
    }

    @Test func theDefaultLimitIs256() {
        #expect(VFSLimits().maximumHandles == 256)
    }

    @Test func theMaximumFileSizeHoldsOnWriteAndTruncate() async throws {
        try await withPOSIXBackends { storage in
            let session = try makeSession(storage, limits: VFSLimits(maximumFileSize: 10))
            let handle = try await session.openForWriting(try path("/big"), flags: [.create])
            try await session.write(handle, bytes: buffer("01234567"), at: 0)
            let error = await #expect(throws: VFSError.self) {
                try await session.write(handle, bytes: buffer("89ab"), at: 8)
            }
            #expect(error?.code == .fileTooLarge)
            let close = await #expect(throws: VFSError.self) { try await session.close(handle) }
            #expect(close?.code == .fileTooLarge)
            #expect(try await !exists(storage, "/big"))

            try await storage.write(try path("/small"), bytes: buffer("x"))
            let truncate = await #expect(throws: VFSError.self) {
                try await session.setAttributes(try path("/small"), VFSAttributeChanges(size: 11))
            }
            #expect(truncate?.code == .fileTooLarge)
            try await session.setAttributes(try path("/small"), VFSAttributeChanges(size: 10))
            #expect(try await storage.attributes(of: try path("/small")).size == 10)
        }
    }

    @Test func readsAreCapped() async throws {
        let storage = MemoryStorage()
        try await storage.write(try path("/f"), bytes: buffer(String(repeating: "x", count: 100)))
        let session = try makeSession(storage, limits: VFSLimits(maximumReadSize: 30))
        let handle = try await session.openForReading(try path("/f"))
        #expect(try await session.read(handle, at: 0, count: 1000).readableBytes == 30)
        #expect(try await session.read(handle, at: 100, count: 10).readableBytes == 0)
    }
}

import FerryCore
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSOpenFlagsTests {
    /// One row of the open-flag table: what exists, the flags, what is written at offset 0, and the outcome.
    struct Row: Sendable, CustomStringConvertible {
        var existing: String?
        var flags: VFSOpenFlags
        var write: String
        var result: Outcome
        var description: String { "existing=\(self.existing ?? "none") flags=\(self.flags.rawValue)" }
    }

    enum Outcome: Sendable {
        case success(String)
        case failure(VFSError.Code)
    }

    static let rows: [Row] = [
        Row(existing: nil, flags: [], write: "abc", result: .failure(.noSuchFile)),
        Row(existing: nil, flags: [.create], write: "abc", result: .success("abc")),
        Row(existing: nil, flags: [.exclusive], write: "abc", result: .success("abc")),
        Row(existing: nil, flags: [.create, .append], write: "abc", result: .success("abc")),
        Row(existing: "hello", flags: [.create, .exclusive], write: "abc", result: .failure(.alreadyExists)),
        Row(existing: "hello", flags: [.create, .truncate], write: "hi", result: .success("hi")),
        Row(existing: "hello", flags: [.truncate], write: "hi", result: .success("hi")),
        Row(existing: "hello", flags: [], write: "J", result: .success("Jello")),
        Row(existing: "hello", flags: [.create], write: "J", result: .success("Jello")),
        Row(existing: "hello", flags: [.append], write: " world", result: .success("hello world")),
    ]

    @Test func theTableHoldsOnEveryPOSIXBackend() async throws {
        try await withPOSIXBackends { storage in
            for (index, row) in Self.rows.enumerated() {
                let name = "/f\(index)"
                if let existing = row.existing {
                    try await storage.write(try path(name), bytes: buffer(existing))
                }
                let session = try makeSession(storage)
                switch row.result {
                case .failure(let code):
                    let error = await #expect(throws: VFSError.self, "\(row)") {
                        _ = try await session.openForWriting(try path(name), flags: row.flags)
                    }
                    #expect(error?.code == code, "\(row)")
                    if let existing = row.existing {
                        #expect(try await contents(storage, name) == existing, "\(row)")
                    } else {
                        #expect(try await !exists(storage, name), "\(row)")
                    }
                case .success(let expected):
                    let handle = try await session.openForWriting(try path(name), flags: row.flags)
                    try await session.write(handle, bytes: buffer(row.write), at: 0)
                    try await session.close(handle)
                    #expect(try await contents(storage, name) == expected, "\(row)")
                }
                #expect(await session.openHandleCount == 0)
            }
        }
    }

    @Test func aDirectoryCannotBeOpenedForWriting() async throws {
        try await withPOSIXBackends { storage in
            try await storage.makeDirectory(try path("/d"))
            let session = try makeSession(storage)
            let error = await #expect(throws: VFSError.self) {
                _ = try await session.openForWriting(try path("/d"), flags: [.create, .truncate])
            }
            #expect(error?.code == .isADirectory)
            let read = await #expect(throws: VFSError.self) {
                _ = try await session.openForReading(try path("/d"))
            }
            #expect(read?.code == .isADirectory)
        }
    }

    @Test func overwritingNeedsOverwriteAndCreatingNeedsUpload() async throws {
        let storage = MemoryStorage()
        try await storage.write(try path("/old"), bytes: buffer("old"))
        let uploadOnly = try makeSession(storage, permissions: VFSPermissions([.list, .download, .upload]))
        let handle = try await uploadOnly.openForWriting(try path("/new"), flags: [.create])
        try await uploadOnly.close(handle)
        let error = await #expect(throws: VFSError.self) {
            _ = try await uploadOnly.openForWriting(try path("/old"), flags: [.create, .truncate])
        }
        #expect(error?.code == .permissionDenied)
        #expect(try await contents(storage, "/old") == "old")
    }
}

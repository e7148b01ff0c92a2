import Foundation
import NIOCore
import SFTPClient
import SFTPProtocol
import StorageMemory
import Synchronization
import Testing

@Suite struct SFTPClientTests {
    @Test func startLearnsExtensionsAndLimits() async throws {
        let server = try await InProcessServer.start(storage: MemoryStorage())
        let client = server.client
        #expect(client.serverVersion == 3)
        #expect(client.supports("posix-rename@openssh.com"))
        #expect(client.supports("limits@openssh.com"))
        #expect(client.limits.readLength == 255 * 1024)
        #expect(client.limits.writeLength > 32 * 1024)
        await client.close()
    }

    @Test func namesAttributesAndDirectories() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        try await client.makeDirectory("/in")
        let file = try await client.open("/in/a.txt", flags: [.write, .create, .truncate])
        try await client.write(file, offset: 0, data: ByteBuffer(string: "hello"))
        try await client.close(file)
        #expect(try await client.stat("/in/a.txt").size == 5)
        #expect(try await client.realpath("/in/../in/./a.txt") == "/in/a.txt")
        #expect(try await client.listDirectory("/in").map(\.filename) == ["a.txt"])

        try await client.rename("/in/a.txt", to: "/in/b.txt")
        #expect(try await client.statIfExists("/in/a.txt") == nil)
        let other = try await client.open("/in/c.txt", flags: [.write, .create])
        try await client.close(other)
        await #expect(throws: SFTPClientError.self) { try await client.rename("/in/b.txt", to: "/in/c.txt") }
        try await client.rename("/in/b.txt", to: "/in/c.txt", replacing: true)
        #expect(try await client.stat("/in/c.txt").size == 5)

        try await client.symlink(linkPath: "/in/link", targetPath: "c.txt")
        #expect(try await client.readlink("/in/link") == "c.txt")
        #expect(try await client.lstat("/in/link").permissions?.isSymbolicLink == true)

        try await client.remove("/in/link")
        try await client.remove("/in/c.txt")
        try await client.removeDirectory("/in")
        #expect(try await client.listDirectory("/").isEmpty)
    }

    @Test func errorsCarryTheStatusAndThePath() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        do {
            _ = try await client.stat("/missing.csv")
            Issue.record("stat of a missing file succeeded")
        } catch let error as SFTPClientError {
            #expect(error.statusCode == .noSuchFile)
            #expect(error.description.hasPrefix("/missing.csv: "))
        }
        let readOnly = try await InProcessServer.start(storage: MemoryStorage(), permissions: .readOnly).client
        defer { Task { await readOnly.close() } }
        let refusal = await #expect(throws: SFTPClientError.self) { try await readOnly.makeDirectory("/x") }
        #expect(refusal?.statusCode == .permissionDenied)
    }

    @Test func largeDirectoriesArriveInBatches() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        try await client.makeDirectory("/many")
        for index in 0..<450 {
            let file = try await client.open(SFTPPath("/many/f\(index)"), flags: [.write, .create])
            try await client.close(file)
        }
        var batches = 0
        var names = Set<String>()
        try await client.listDirectory("/many") { entries in
            batches += 1
            for entry in entries { names.insert(entry.filename.description) }
        }
        #expect(names.count == 450)
        #expect(batches >= 5)
    }

    @Test(arguments: [
        SFTPClientLimits(readLength: 32 * 1024, writeLength: 32 * 1024, requestsInFlight: 4),
        // Reads larger than the server returns: every read comes back short and is completed by another.
        SFTPClientLimits(readLength: 1024 * 1024, writeLength: 200 * 1024, requestsInFlight: 16),
    ])
    func pipelinedTransfersRoundTrip(limits: SFTPClientLimits) async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage(), fixedLimits: limits).client
        defer { Task { await client.close() } }
        try await withTemporaryDirectory { directory in
            let source = directory + "/source.bin"
            let bytes = pattern(5 * 1024 * 1024 + 123)
            #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
            let transfer = SFTPFileTransfer(client: client)
            let sent = try await transfer.upload(from: source, to: "/data.bin")
            #expect(sent.size == UInt64(bytes.count))
            #expect(try await client.stat("/data.bin").size == UInt64(bytes.count))
            #expect(try await client.statIfExists(SFTPPath(SFTPFileTransfer.partialName(for: "/data.bin"))) == nil)

            let copy = directory + "/copy.bin"
            let got = try await transfer.download("/data.bin", to: copy)
            #expect(got == .init(size: UInt64(bytes.count), transferred: UInt64(bytes.count), resumedFrom: 0))
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))
            #expect(!FileManager.default.fileExists(atPath: SFTPFileTransfer.partialName(for: copy)))
        }
    }

    @Test func downloadResumesFromThePartialCopy() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        let bytes = pattern(3 * 1024 * 1024)
        try await client.writeWhole("/big.bin", bytes)
        try await withTemporaryDirectory { directory in
            let target = directory + "/big.bin"
            let partial = SFTPFileTransfer.partialName(for: target)
            #expect(FileManager.default.createFile(atPath: partial, contents: Data(bytes[0..<1_000_000])))
            let result = try await SFTPFileTransfer(client: client).download("/big.bin", to: target, resume: true)
            #expect(result.resumedFrom == 1_000_000)
            #expect(result.transferred == UInt64(bytes.count - 1_000_000))
            #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(bytes))
        }
    }

    @Test func uploadResumesTheRemotePartialFile() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        let bytes = pattern(2 * 1024 * 1024, seed: 3)
        try await client.writeWhole(SFTPPath(SFTPFileTransfer.partialName(for: "/up.bin")), Array(bytes[0..<700_000]))
        try await withTemporaryDirectory { directory in
            let source = directory + "/up.bin"
            #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
            let result = try await SFTPFileTransfer(client: client).upload(from: source, to: "/up.bin", resume: true)
            #expect(result.resumedFrom == 700_000)
            let copy = directory + "/copy.bin"
            _ = try await SFTPFileTransfer(client: client).download("/up.bin", to: copy)
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == Data(bytes))
        }
    }

    @Test func aFailedDownloadLeavesNothingUnderTheRealName() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        try await withTemporaryDirectory { directory in
            let target = directory + "/none.bin"
            await #expect(throws: SFTPClientError.self) {
                _ = try await SFTPFileTransfer(client: client).download("/none.bin", to: target)
            }
            #expect(!FileManager.default.fileExists(atPath: target))
        }
    }

    @Test func aDroppedConnectionFailsWaitingAndLaterRequests() async throws {
        let server = try await InProcessServer.start(storage: MemoryStorage())
        let client = server.client
        try await client.makeDirectory("/d")
        server.cut()
        await #expect(throws: SFTPClientError.self) {
            for _ in 0..<100 { _ = try await client.stat("/d") }
        }
        do {
            _ = try await client.stat("/d")
            Issue.record("a request after the connection dropped succeeded")
        } catch let error as SFTPClientError {
            guard case .connectionLost = error else {
                Issue.record("expected connectionLost, got \(error)")
                return
            }
        }
    }

    enum Direction: String, CaseIterable, Sendable {
        case download, upload
    }

    @Test(arguments: Direction.allCases)
    func aTransferCutMidwayFailsWithConnectionLost(_ direction: Direction) async throws {
        // Few requests in flight, so most of the file is still to move when the connection drops.
        let server = try await InProcessServer.start(storage: MemoryStorage(), requestsInFlight: 4)
        let client = server.client
        let bytes = pattern(16 * 1024 * 1024)
        try await withTemporaryDirectory { directory in
            let cut = Mutex(false)
            let cutOnce: @Sendable (UInt64) -> Void = { done in
                guard done > 1024 * 1024 else { return }
                let first = cut.withLock { cut in
                    defer { cut = true }
                    return !cut
                }
                if first { server.cut() }
            }
            do {
                switch direction {
                case .download:
                    try await client.writeWhole("/big.bin", bytes)
                    let local = try LocalTestFile(path: directory + "/copy.bin")
                    defer { local.close() }
                    _ = try await client.download("/big.bin", to: local.file, progress: cutOnce)
                case .upload:
                    let source = directory + "/source.bin"
                    #expect(FileManager.default.createFile(atPath: source, contents: Data(bytes)))
                    let local = try LocalTestFile(path: source, flags: O_RDONLY)
                    defer { local.close() }
                    let remote = try await client.open("/up.bin", flags: [.write, .create, .truncate])
                    _ = try await client.upload(from: local.file, to: remote, progress: cutOnce)
                }
                Issue.record("a \(direction) whose connection dropped succeeded")
            } catch let error as SFTPClientError {
                guard case .connectionLost = error else {
                    Issue.record("expected connectionLost, got \(error)")
                    return
                }
            }
            #expect(cut.withLock { $0 })
        }
    }

    @Test func aCancelledDownloadStopsAndTheSessionCarriesOn() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        let bytes = pattern(8 * 1024 * 1024, seed: 11)
        try await client.writeWhole("/big.bin", bytes)
        try await withTemporaryDirectory { directory in
            let local = try LocalTestFile(path: directory + "/copy.bin")
            defer { local.close() }
            let (started, signal) = AsyncStream<Void>.makeStream()
            let download = Task {
                try await client.download("/big.bin", to: local.file) { done in
                    if done > 1024 * 1024 { signal.yield() }
                }
            }
            for await _ in started { break }
            download.cancel()
            await #expect(throws: CancellationError.self) { _ = try await download.value }
            // The replies still in flight are dropped as they come; the session stays usable.
            #expect(try await client.stat("/big.bin").size == UInt64(bytes.count))
            let again = try LocalTestFile(path: directory + "/again.bin")
            defer { again.close() }
            #expect(try await client.download("/big.bin", to: again.file) == UInt64(bytes.count))
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/again.bin")) == Data(bytes))
        }
    }

    @Test func concurrentCallersShareTheSession() async throws {
        let client = try await InProcessServer.start(storage: MemoryStorage()).client
        defer { Task { await client.close() } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await client.makeDirectory(SFTPPath("/dir\(index)"))
                    #expect(try await client.stat(SFTPPath("/dir\(index)")).permissions?.isDirectory == true)
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.listDirectory("/").count == 40)
    }
}

extension SFTPClient {
    /// Writes a file in 128 KiB requests, one at a time.
    func writeWhole(_ path: SFTPPath, _ bytes: [UInt8]) async throws {
        let file = try await self.open(path, flags: [.write, .create, .truncate])
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 128 * 1024, bytes.count)
            try await self.write(file, offset: UInt64(offset), data: ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
        }
        try await self.close(file)
    }
}

/// A local file for a test transfer.
struct LocalTestFile {
    let file: SFTPLocalFile

    /// Opens `path` (by default created empty for writing).
    init(path: String, flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC) throws {
        let descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else { throw SFTPClientError.localFile(path: path, operation: "open", errno: errno) }
        self.file = SFTPLocalFile(descriptor: descriptor, path: path)
    }

    func close() {
        _ = Glibc.close(self.file.descriptor)
    }
}

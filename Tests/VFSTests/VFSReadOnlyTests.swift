import FerryCore
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSReadOnlyTests {
    /// Every entry below the root with its kind and contents, so any change shows.
    private func snapshot(_ storage: MemoryStorage) async throws -> [String] {
        var lines: [String] = []
        var pending: [FerryPath] = [.root]
        while let directory = pending.popLast() {
            for entry in try await storage.listAll(directory) {
                let entryPath = try directory.appending(entry.name)
                var line = "\(entryPath) \(entry.kind) \(entry.attributes.permissions?.description ?? "")"
                switch entry.kind {
                case .directory: pending.append(entryPath)
                case .file: line += " " + String(buffer: try await storage.readAll(entryPath))
                case .symlink: line += " -> " + (try await storage.readSymlink(entryPath))
                case .other: break
                }
                lines.append(line)
            }
        }
        return lines.sorted()
    }

    @Test func aReadOnlyUserCannotChangeAnything() async throws {
        let storage = MemoryStorage()
        try await storage.makeDirectory(try path("/d"))
        try await storage.makeDirectory(try path("/empty"))
        try await storage.write(try path("/d/f"), bytes: buffer("content"))
        try await storage.createSymlink(at: try path("/link"), target: "d/f")
        let before = try await self.snapshot(storage)
        let session = try makeSession(storage, permissions: .readOnly)

        let attempts: [(String, @Sendable () async throws -> Void)] = [
            ("create", { _ = try await session.openForWriting(try path("/new"), flags: [.create]) }),
            ("overwrite", { _ = try await session.openForWriting(try path("/d/f"), flags: [.create, .truncate]) }),
            ("append", { _ = try await session.openForWriting(try path("/d/f"), flags: [.append]) }),
            ("remove", { try await session.remove(try path("/d/f")) }),
            ("remove link", { try await session.remove(try path("/link")) }),
            ("rename", { try await session.rename(try path("/d/f"), to: try path("/d/g")) }),
            ("mkdir", { try await session.makeDirectory(try path("/d2")) }),
            ("rmdir", { try await session.removeDirectory(try path("/empty")) }),
            ("symlink", { try await session.symlink(at: try path("/l2"), target: "d/f") }),
            ("chmod", { try await session.setAttributes(try path("/d/f"), VFSAttributeChanges(permissions: 0o777)) }),
            ("truncate", { try await session.setAttributes(try path("/d/f"), VFSAttributeChanges(size: 0)) }),
        ]
        for (name, attempt) in attempts {
            let error = await #expect(throws: VFSError.self, "\(name)") { try await attempt() }
            #expect(error?.code == .permissionDenied, "\(name)")
        }
        #expect(await session.openHandleCount == 0)
        #expect(try await self.snapshot(storage) == before)

        let handle = try await session.openForReading(try path("/link"))
        #expect(String(buffer: try await session.read(handle, at: 0, count: 100)) == "content")
        try await session.close(handle)
        #expect(try await session.readSymlink(try path("/link")) == "d/f")
        #expect(try await session.list(.root).entries.count == 3)
    }

    @Test func linksCannotClimbOutOfTheirMount() async throws {
        let storage = MemoryStorage()
        try await storage.makeDirectory(try path("/users"))
        try await storage.makeDirectory(try path("/users/alice"))
        try await storage.makeDirectory(try path("/users/alice/sub"))
        let session = VFSSession(
            user: "alice",
            mounts: try VFSMountTable(root: VFSMount(storage: storage, prefix: try path("/users/alice"))),
            permissions: .all
        )
        try await session.symlink(at: try path("/sub/ok"), target: "../x")
        let error = await #expect(throws: VFSError.self) {
            try await session.symlink(at: try path("/sub/bad"), target: "../../bob")
        }
        #expect(error?.code == .permissionDenied)
        #expect(try await storage.readSymlink(try path("/users/alice/sub/ok")) == "../x")
    }
}

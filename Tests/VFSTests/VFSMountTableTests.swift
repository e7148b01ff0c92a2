import FerryCore
import Storage
import StorageMemory
import Testing
import VFS

@Suite struct VFSMountTableTests {
    @Test func resolvesThroughTheLongestMountPoint() throws {
        let home = MemoryStorage()
        let shared = MemoryObjectStorage()
        let table = try VFSMountTable(
            root: VFSMount(storage: home, prefix: try path("/users/alice")),
            virtualFolders: [try path("/shared"): VFSMount(storage: shared, prefix: try path("/teams/x"))]
        )
        let inHome = table.resolve(try path("/docs/a.txt"))
        #expect(inHome.mountPoint == .root)
        #expect(inHome.storagePath == (try path("/users/alice/docs/a.txt")))
        #expect(inHome.storage as? MemoryStorage === home)

        let inShared = table.resolve(try path("/shared/in/b"))
        #expect(inShared.mountPoint == (try path("/shared")))
        #expect(inShared.storagePath == (try path("/teams/x/in/b")))
        #expect(inShared.storage as? MemoryObjectStorage === shared)

        #expect(table.resolve(try path("/shared")).storagePath == (try path("/teams/x")))
        #expect(table.resolve(try path("/sharedX")).mountPoint == .root)
    }

    @Test func virtualEntriesAndMountPoints() throws {
        let table = try VFSMountTable(
            root: VFSMount(storage: MemoryStorage()),
            virtualFolders: [
                try path("/shared"): VFSMount(storage: MemoryStorage()),
                try path("/a/b/c"): VFSMount(storage: MemoryStorage()),
            ]
        )
        #expect(table.virtualEntries(in: .root) == ["a", "shared"])
        #expect(table.virtualEntries(in: try path("/a")) == ["b"])
        #expect(table.virtualEntries(in: try path("/a/b/c")) == [])
        #expect(table.holdsMountPoint(try path("/a/b")))
        #expect(table.holdsMountPoint(.root))
        #expect(!table.holdsMountPoint(try path("/shared/x")))
    }

    @Test func aVirtualFolderAtTheRootIsRefused() throws {
        #expect(throws: VFSError.self) {
            try VFSMountTable(
                root: VFSMount(storage: MemoryStorage()),
                virtualFolders: [.root: VFSMount(storage: MemoryStorage())]
            )
        }
    }

    @Test func listingsShowVirtualFoldersAndHideWhatTheyCover() async throws {
        let home = MemoryStorage()
        try await home.write(try path("/shared"), bytes: buffer("hidden"))
        try await home.write(try path("/mine.txt"), bytes: buffer("x"))
        let other = MemoryStorage()
        try await other.write(try path("/report"), bytes: buffer("r"))
        let session = VFSSession(
            user: "alice",
            mounts: try VFSMountTable(
                root: VFSMount(storage: home),
                virtualFolders: [
                    try path("/shared"): VFSMount(storage: other),
                    try path("/deep/inner"): VFSMount(storage: other),
                ]
            ),
            permissions: .all
        )
        let names = try await session.list(.root).entries.map(\.name).sorted()
        #expect(names == ["deep", "mine.txt", "shared"])
        #expect(try await session.list(.root).entries.first { $0.name == "shared" }?.kind == .directory)
        #expect(try await session.list(try path("/deep")).entries.map(\.name) == ["inner"])
        #expect(try await session.list(try path("/shared")).entries.map(\.name) == ["report"])
        #expect(try await session.attributes(of: try path("/deep")).kind == .directory)
        #expect(try await session.attributes(of: try path("/shared")).kind == .directory)
    }

    @Test func mountBoundariesAreEnforced() async throws {
        let home = MemoryStorage()
        let other = MemoryStorage()
        try await home.write(try path("/a"), bytes: buffer("a"))
        let session = VFSSession(
            user: "alice",
            mounts: try VFSMountTable(
                root: VFSMount(storage: home),
                virtualFolders: [try path("/shared"): VFSMount(storage: other)]
            ),
            permissions: .all
        )
        let across = await #expect(throws: VFSError.self) {
            try await session.rename(try path("/a"), to: try path("/shared/a"))
        }
        #expect(across?.code == .unsupported)
        let removal = await #expect(throws: VFSError.self) {
            try await session.removeDirectory(try path("/shared"))
        }
        #expect(removal?.code == .permissionDenied)
        let rename = await #expect(throws: VFSError.self) {
            try await session.rename(try path("/shared"), to: try path("/b"))
        }
        #expect(rename?.code == .permissionDenied)
        #expect(try await contents(home, "/a") == "a")
    }
}

#if os(Linux)
import FerryCore
import Foundation
import Glibc
import NIOCore
import Storage
import StorageLocal
import Testing

@Suite("LocalStorage on disk")
struct LocalStorageTests {
    @Test func automaticResolutionPrefersTheKernel() async throws {
        try await Sandbox.with { sandbox in
            let storage = try await LocalStorage(root: try sandbox.makeDirectory("root"))
            #expect(storage.resolution == (LocalStorage.kernelResolvesBeneath ? .openat2 : .componentWalk))
        }
    }

    @Test func aMissingRootIsNotFound() async throws {
        try await Sandbox.with { sandbox in
            let error = await #expect(throws: FerryError.self) {
                _ = try await LocalStorage(root: sandbox.base + "/missing")
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test func leftoversAreHiddenAndSweptWhenOld() async throws {
        try await Sandbox.with { sandbox in
            let storage = try await LocalStorage(root: try sandbox.makeDirectory("root"))
            _ = try sandbox.makeDirectory("root/dir")
            try sandbox.writeFile("root/dir/kept.txt", "kept")
            try sandbox.writeFile("root/.kept.txt.ferry-upload-00000000000000aa", "old")
            try sandbox.writeFile("root/dir/.x.ferry-upload-00000000000000bb", "old")
            try sandbox.writeFile("root/dir/.y.ferry-upload-00000000000000cc", "in progress")
            for old in ["root/.kept.txt.ferry-upload-00000000000000aa", "root/dir/.x.ferry-upload-00000000000000bb"] {
                var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
                #expect(utimensat(AT_FDCWD, sandbox.base + "/" + old, &times, 0) == 0)
            }
            #expect(try await storage.listAll(.root).map(\.name) == ["dir"])
            #expect(try await storage.listAll(try path("/dir")).map(\.name) == ["kept.txt"])
            #expect(try await storage.removeAbandonedUploads(olderThan: .seconds(3600)) == 2)
            let left = try sandbox.snapshot("root").map { String($0.prefix { $0 != " " }) }
            #expect(left == ["root", "root/dir", "root/dir/.y.ferry-upload-00000000000000cc", "root/dir/kept.txt"])
        }
    }

    @Test func replacingAFileKeepsItsPermissions() async throws {
        try await Sandbox.with { sandbox in
            let storage = try await LocalStorage(root: try sandbox.makeDirectory("root"))
            let file = try path("/private.txt")
            try await storage.write(file, bytes: ByteBuffer(string: "one"))
            try await storage.setPermissions(file, to: 0o600)
            try await storage.write(file, bytes: ByteBuffer(string: "two"))
            #expect(try await storage.attributes(of: file).permissions == 0o600)
            let handle = try await storage.openForWriting(file, initialContents: .existing)
            try await handle.write(ByteBuffer(string: "three"), at: 0)
            try await handle.publish()
            #expect(try await storage.attributes(of: file).permissions == 0o600)
            #expect(String(buffer: try await storage.readAll(file)) == "three")
        }
    }

    @Test func specialFilesAreNotOpenedForContent() async throws {
        try await Sandbox.with { sandbox in
            let root = try sandbox.makeDirectory("root")
            #expect(mkfifo(root + "/fifo", 0o600) == 0)
            let storage = try await LocalStorage(root: root)
            #expect(try await storage.attributes(of: try path("/fifo")).kind == .other)
            // A FIFO with no writer would block an ordinary open forever.
            let error = await #expect(throws: FerryError.self) {
                _ = try await storage.read(try path("/fifo"), at: 0, count: 10)
            }
            #expect(error?.code == .unsupported)
        }
    }

    @Test func anAbandonedHandleLeavesNothing() async throws {
        try await Sandbox.with { sandbox in
            let storage = try await LocalStorage(root: try sandbox.makeDirectory("root"))
            do {
                let handle = try await storage.openForWriting(try path("/dropped"), initialContents: .empty)
                try await handle.write(ByteBuffer(string: "never published"), at: 0)
            }
            #expect(try sandbox.snapshot("root").count == 1)
        }
    }
}
#endif

import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let moveChecks: [Check] = [
        Check("move: renames a file") { storage in
            let mover = try capability(storage, (any ServerSideMoving).self)
            try await writeText(storage, "payload", to: "/a")
            try await mover.move(try path("/a"), to: try path("/b"), ifExists: .fail)
            try expectEqual(try await names(storage, "/"), ["b"], "entries")
            try expectEqual(try await readText(storage, "/b"), "payload", "contents")
        },
        Check("move: no-replace fails on an existing destination and keeps both") { storage in
            let mover = try capability(storage, (any ServerSideMoving).self)
            try await writeText(storage, "source", to: "/a")
            try await writeText(storage, "destination", to: "/b")
            try await expectError(.alreadyExists, "moving onto an existing file") {
                try await mover.move(try path("/a"), to: try path("/b"), ifExists: .fail)
            }
            try expectEqual(try await readText(storage, "/a"), "source", "source afterwards")
            try expectEqual(try await readText(storage, "/b"), "destination", "destination afterwards")
        },
        Check("move: replace overwrites the destination") { storage in
            let mover = try capability(storage, (any ServerSideMoving).self)
            try await writeText(storage, "source", to: "/a")
            try await writeText(storage, "destination", to: "/b")
            try await mover.move(try path("/a"), to: try path("/b"), ifExists: .replace)
            try expectEqual(try await names(storage, "/"), ["b"], "entries")
            try expectEqual(try await readText(storage, "/b"), "source", "destination afterwards")
        },
        Check("move: a directory with its contents") { storage in
            let mover = try capability(storage, (any ServerSideMoving).self)
            try await storage.makeDirectory(try path("/dir"))
            try await storage.makeDirectory(try path("/dir/sub"))
            try await writeText(storage, "deep", to: "/dir/sub/file")
            try await storage.makeDirectory(try path("/target"))
            try await mover.move(try path("/dir"), to: try path("/target/moved"), ifExists: .fail)
            try expectEqual(try await names(storage, "/"), ["target"], "entries of /")
            try expectEqual(try await readText(storage, "/target/moved/sub/file"), "deep", "moved contents")
        },
        Check("move: POSIX rules for kinds, loops and missing sources") { storage in
            let mover = try capability(storage, (any ServerSideMoving).self)
            try await storage.makeDirectory(try path("/dir"))
            try await storage.makeDirectory(try path("/dir/sub"))
            try await storage.makeDirectory(try path("/full"))
            try await writeText(storage, "x", to: "/full/file")
            try await storage.makeDirectory(try path("/empty"))
            try await writeText(storage, "f", to: "/file")
            try await expectError(.invalidArgument, "moving a directory into itself") {
                try await mover.move(try path("/dir"), to: try path("/dir/sub/inside"), ifExists: .fail)
            }
            try await expectError(.notFound, "moving a missing entry") {
                try await mover.move(try path("/missing"), to: try path("/elsewhere"), ifExists: .replace)
            }
            try await expectError(.isADirectory, "replacing a directory with a file") {
                try await mover.move(try path("/file"), to: try path("/empty"), ifExists: .replace)
            }
            try await expectError(.notADirectory, "replacing a file with a directory") {
                try await mover.move(try path("/dir"), to: try path("/file"), ifExists: .replace)
            }
            try await expectError(.directoryNotEmpty, "replacing a non-empty directory") {
                try await mover.move(try path("/dir"), to: try path("/full"), ifExists: .replace)
            }
            try await mover.move(try path("/dir"), to: try path("/empty"), ifExists: .replace)
            try expectEqual(try await names(storage, "/empty"), ["sub"], "a directory replaced an empty one")
            try await mover.move(try path("/file"), to: try path("/file"), ifExists: .replace)
            try expectEqual(try await readText(storage, "/file"), "f", "a file moved onto itself")
            try expectEqual(try await names(storage, "/"), ["empty", "file", "full"], "entries afterwards")
        },
    ]

    static let copyChecks: [Check] = [
        Check("copy: duplicates a file") { storage in
            let copier = try capability(storage, (any ServerSideCopying).self)
            let contents = pattern(count: 300_000)
            try await storage.write(try path("/a"), bytes: contents)
            try await copier.copy(try path("/a"), to: try path("/b"), ifExists: .fail)
            try expect(try await storage.readAll(try path("/b")) == contents, "the copy holds the same bytes")
            try expect(try await storage.readAll(try path("/a")) == contents, "the source is unchanged")
        },
        Check("copy: conflict policy and directories") { storage in
            let copier = try capability(storage, (any ServerSideCopying).self)
            try await writeText(storage, "source", to: "/a")
            try await writeText(storage, "destination", to: "/b")
            try await expectError(.alreadyExists, "copying onto an existing file") {
                try await copier.copy(try path("/a"), to: try path("/b"), ifExists: .fail)
            }
            try expectEqual(try await readText(storage, "/b"), "destination", "destination after a refused copy")
            try await copier.copy(try path("/a"), to: try path("/b"), ifExists: .replace)
            try expectEqual(try await readText(storage, "/b"), "source", "destination after a replacing copy")
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.isADirectory, "copying a directory") {
                try await copier.copy(try path("/dir"), to: try path("/dir2"), ifExists: .fail)
            }
            try await expectError(.notFound, "copying a missing file") {
                try await copier.copy(try path("/missing"), to: try path("/c"), ifExists: .fail)
            }
            try expectEqual(try await names(storage, "/"), ["a", "b", "dir"], "entries afterwards")
        },
    ]
}

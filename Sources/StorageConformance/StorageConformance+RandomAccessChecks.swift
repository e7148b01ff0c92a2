import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let randomAccessChecks: [Check] = [
        Check("random access: out-of-order writes appear only when published") { storage in
            let writer = try capability(storage, (any RandomAccessWriting).self)
            let file = try path("/upload")
            let handle = try await writer.openForWriting(file, initialContents: .empty)
            try await handle.write(bytes("world"), at: 6)
            try await handle.write(bytes("hello "), at: 0)
            try expectEqual(try await handle.size(), 11, "size while building")
            try expectEqual(String(buffer: try await handle.read(at: 0, count: 100)), "hello world", "read back")
            try await handle.sync()
            try await expectError(.notFound, "attributes before publishing") {
                _ = try await storage.attributes(of: file)
            }
            try expectEqual(try await names(storage, "/"), [], "entries before publishing")
            try await handle.publish()
            try expectEqual(try await readText(storage, "/upload"), "hello world", "contents after publishing")
            try expectEqual(try await names(storage, "/"), ["upload"], "entries after publishing")
            try await expectFailure("writing after publishing") { try await handle.write(bytes("x"), at: 0) }
            try await expectFailure("publishing twice") { try await handle.publish() }
        },
        Check("random access: gaps read as zeros, truncate cuts and extends") { storage in
            let writer = try capability(storage, (any RandomAccessWriting).self)
            let handle = try await writer.openForWriting(try path("/sparse"), initialContents: .empty)
            try await handle.write(bytes("x"), at: 10)
            var expected = ByteBuffer(repeating: 0, count: 10)
            expected.writeString("x")
            try expectEqual(try await handle.read(at: 0, count: 100), expected, "a gap before the data")
            try await handle.truncate(to: 5)
            try expectEqual(try await handle.size(), 5, "size after cutting")
            try await handle.truncate(to: 8)
            try expectEqual(try await handle.read(at: 0, count: 100), ByteBuffer(repeating: 0, count: 8), "extended")
            try expectEqual(try await handle.read(at: 8, count: 10).readableBytes, 0, "read at the end")
            try await handle.publish()
            try expectEqual(try await storage.attributes(of: try path("/sparse")).size, 8, "published size")
        },
        Check("random access: abort leaves nothing and keeps the old file") { storage in
            let writer = try capability(storage, (any RandomAccessWriting).self)
            try await writeText(storage, "old", to: "/file")
            let handle = try await writer.openForWriting(try path("/file"), initialContents: .empty)
            try await handle.write(pattern(count: 100_000), at: 0)
            try await handle.abort()
            try expectEqual(try await readText(storage, "/file"), "old", "contents after abort")
            try expectEqual(try await names(storage, "/"), ["file"], "entries after abort")
            let fresh = try await writer.openForWriting(try path("/new"), initialContents: .empty)
            try await fresh.write(bytes("never"), at: 0)
            try await fresh.abort()
            try expectEqual(try await names(storage, "/"), ["file"], "entries after aborting a new file")
            try await expectFailure("writing after abort") { try await fresh.write(bytes("x"), at: 0) }
        },
        Check("random access: starting from the existing file") { storage in
            let writer = try capability(storage, (any RandomAccessWriting).self)
            try await writeText(storage, "0123456789", to: "/file")
            let handle = try await writer.openForWriting(try path("/file"), initialContents: .existing)
            try expectEqual(try await handle.size(), 10, "initial size")
            try await handle.write(bytes("ab"), at: 2)
            try expectEqual(try await readText(storage, "/file"), "0123456789", "contents before publishing")
            try await handle.publish()
            try expectEqual(try await readText(storage, "/file"), "01ab456789", "contents after publishing")
            let missing = try await writer.openForWriting(try path("/missing"), initialContents: .existing)
            try expectEqual(try await missing.size(), 0, "initial size without a file")
            try await missing.abort()
        },
        Check("random access: refuses directories and missing parents") { storage in
            let writer = try capability(storage, (any RandomAccessWriting).self)
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.isADirectory, "opening a directory for writing") {
                _ = try await writer.openForWriting(try path("/dir"), initialContents: .empty)
            }
            if storage is any ExplicitDirectories {
                try await expectError(.notFound, "opening in a missing directory") {
                    _ = try await writer.openForWriting(try path("/missing/file"), initialContents: .empty)
                }
            }
            try expectEqual(try await names(storage, "/dir"), [], "entries afterwards")
        },
    ]
}

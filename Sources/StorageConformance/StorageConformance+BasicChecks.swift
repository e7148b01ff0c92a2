import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let basicChecks: [Check] = [
        Check("the root is an empty directory") { storage in
            let root = try await storage.attributes(of: .root)
            try expectEqual(root.kind, .directory, "kind of /")
            try expectEqual(try await names(storage, "/"), [], "entries of a new backend")
        },
        Check("missing entries are notFound") { storage in
            let missing = try path("/missing")
            try await expectError(.notFound, "attributes of a missing entry") {
                _ = try await storage.attributes(of: missing)
            }
            try await expectError(.notFound, "reading a missing file") {
                _ = try await storage.read(missing, at: 0, count: 10)
            }
            try await expectError(.notFound, "listing a missing directory") {
                _ = try await storage.list(missing, pageSize: 10, after: nil)
            }
            try await expectError(.notFound, "removing a missing file") { try await storage.removeFile(missing) }
            try await expectError(.notFound, "removing a missing directory") {
                try await storage.removeDirectory(missing)
            }
        },
        Check("a written file reads back") { storage in
            let file = try path("/hello.txt")
            let written = try await storage.write(file, bytes: bytes("hello, ferry"))
            try expectEqual(written, 12, "bytes reported written")
            let attributes = try await storage.attributes(of: file)
            try expectEqual(attributes.kind, .file, "kind")
            try expectEqual(attributes.size, 12, "size")
            try expectEqual(try await readText(storage, "/hello.txt"), "hello, ferry", "contents")
            try expectEqual(String(buffer: try await storage.read(file, at: 7, count: 5)), "ferry", "range 7..<12")
            let listed = try await storage.listAll(.root)
            try expectEqual(listed.map(\.name), ["hello.txt"], "listing")
            try expectEqual(listed.first?.kind, .file, "listed kind")
            try expectEqual(listed.first?.attributes.size, 12, "listed size")
        },
        Check("zero-length files") { storage in
            try await storage.write(try path("/none"), from: ByteBufferSequence([]))
            try await storage.write(try path("/empty"), bytes: ByteBuffer())
            for name in ["/none", "/empty"] {
                let attributes = try await storage.attributes(of: try path(name))
                try expectEqual(attributes.kind, .file, "kind of \(name)")
                try expectEqual(attributes.size, 0, "size of \(name)")
                let read = try await storage.read(try path(name), at: 0, count: 100)
                try expectEqual(read.readableBytes, 0, "bytes read from \(name)")
            }
            try expectEqual(try await names(storage, "/"), ["empty", "none"], "listing")
        },
        Check("reads at and past the end") { storage in
            let file = try path("/hundred")
            let contents = pattern(count: 100)
            try await storage.write(file, bytes: contents)
            try expectEqual(try await storage.read(file, at: 100, count: 10).readableBytes, 0, "read at the end")
            try expectEqual(try await storage.read(file, at: 1000, count: 10).readableBytes, 0, "read past the end")
            try expectEqual(
                try await storage.read(file, at: 90, count: 50),
                contents.getSlice(at: 90, length: 10)!,
                "read straddling the end"
            )
            try expectEqual(try await storage.read(file, at: 10, count: 0).readableBytes, 0, "read of 0 bytes")
            try expectEqual(try await storage.read(file, at: 0, count: 100), contents, "read of everything")
        },
        Check("five MiB in odd-sized chunks") { storage in
            let file = try path("/big.bin")
            let contents = pattern(count: 5 * 1024 * 1024)
            let parts = chunks(of: contents, sizes: [1, 7, 4093, 65_537, 3, 131_071, 1_000_003, 17])
            let written = try await storage.write(file, from: ByteBufferSequence(parts))
            try expectEqual(written, UInt64(contents.readableBytes), "bytes reported written")
            try expectEqual(try await storage.attributes(of: file).size, UInt64(contents.readableBytes), "size")
            var offset = 0
            while offset < contents.readableBytes {
                let piece = try await storage.read(file, at: UInt64(offset), count: 777_777)
                let expected = contents.getSlice(at: offset, length: min(777_777, contents.readableBytes - offset))!
                try expect(piece == expected, "bytes at \(offset) differ from what was written")
                offset += piece.readableBytes
            }
        },
        Check("a write replaces the file") { storage in
            try await writeText(storage, "a long first version", to: "/file")
            try await writeText(storage, "short", to: "/file")
            try expectEqual(try await readText(storage, "/file"), "short", "contents after replacement")
            try expectEqual(try await storage.attributes(of: try path("/file")).size, 5, "size after replacement")
        },
        Check("reading a directory is isADirectory") { storage in
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.isADirectory, "reading a directory") {
                _ = try await storage.read(try path("/dir"), at: 0, count: 1)
            }
        },
        Check("writing over a directory is isADirectory") { storage in
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.isADirectory, "writing where a directory is") {
                try await writeText(storage, "x", to: "/dir")
            }
            try expectEqual(try await storage.attributes(of: try path("/dir")).kind, .directory, "kind afterwards")
        },
        Check("the root cannot be removed") { storage in
            try await expectError(.permissionDenied, "removing / as a directory") {
                try await storage.removeDirectory(.root)
            }
            try await expectError(.isADirectory, "removing / as a file") { try await storage.removeFile(.root) }
        },
        Check("concurrent writes to different files") { storage in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await storage.write(try path("/f\(index)"), bytes: pattern(count: 10_000 + index))
                    }
                }
                try await group.waitForAll()
            }
            for index in 0..<24 {
                let read = try await storage.readAll(try path("/f\(index)"))
                try expect(read == pattern(count: 10_000 + index), "f\(index) holds what was written")
            }
        },
        Check("concurrent writes to one name leave one whole version") { storage in
            let file = try path("/contested")
            let versions = (0..<8).map { pattern(count: 200_000 + $0, seed: UInt64($0 + 1)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for version in versions {
                    group.addTask {
                        try await storage.write(file, from: ByteBufferSequence(chunks(of: version, sizes: [65_536])))
                    }
                }
                try await group.waitForAll()
            }
            let final = try await storage.readAll(file)
            try expect(versions.contains(final), "the file is exactly one of the versions written")
            try expectEqual(try await names(storage, "/"), ["contested"], "listing")
        },
    ]
}

import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let directoryChecks: [Check] = [
        Check("make directory") { storage in
            let directory = try path("/dir")
            try await storage.makeDirectory(directory)
            try expectEqual(try await storage.attributes(of: directory).kind, .directory, "kind")
            try expectEqual(try await storage.listAll(.root).map(\.kind), [.directory], "listed kind")
            try expectEqual(try await names(storage, "/dir"), [], "entries of a new directory")
            try await storage.makeDirectory(try path("/dir/sub"))
            try expectEqual(try await names(storage, "/dir"), ["sub"], "entries after a nested mkdir")
            try await expectError(.alreadyExists, "making an existing directory") {
                try await storage.makeDirectory(directory)
            }
            try await writeText(storage, "x", to: "/file")
            try await expectError(.alreadyExists, "making a directory where a file is") {
                try await storage.makeDirectory(try path("/file"))
            }
        },
        Check("remove an empty directory") { storage in
            let directory = try path("/dir")
            try await storage.makeDirectory(directory)
            try await storage.removeDirectory(directory)
            try await expectError(.notFound, "attributes after removal") {
                _ = try await storage.attributes(of: directory)
            }
            try expectEqual(try await names(storage, "/"), [], "entries after removal")
        },
        Check("removing a non-empty directory is directoryNotEmpty") { storage in
            try await storage.makeDirectory(try path("/dir"))
            try await writeText(storage, "keep me", to: "/dir/file")
            try await expectError(.directoryNotEmpty, "removing a directory with a file") {
                try await storage.removeDirectory(try path("/dir"))
            }
            try await storage.makeDirectory(try path("/outer"))
            try await storage.makeDirectory(try path("/outer/inner"))
            try await expectError(.directoryNotEmpty, "removing a directory with a directory") {
                try await storage.removeDirectory(try path("/outer"))
            }
            try expectEqual(try await readText(storage, "/dir/file"), "keep me", "contents afterwards")
            try expectEqual(try await names(storage, "/outer"), ["inner"], "entries afterwards")
        },
        Check("removals check the kind of entry") { storage in
            try await writeText(storage, "x", to: "/file")
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.notADirectory, "removeDirectory on a file") {
                try await storage.removeDirectory(try path("/file"))
            }
            try await expectError(.isADirectory, "removeFile on a directory") {
                try await storage.removeFile(try path("/dir"))
            }
            try expectEqual(try await names(storage, "/"), ["dir", "file"], "entries afterwards")
        },
        Check("remove a file") { storage in
            try await writeText(storage, "x", to: "/file")
            try await storage.removeFile(try path("/file"))
            try await expectError(.notFound, "attributes after removal") {
                _ = try await storage.attributes(of: try path("/file"))
            }
            try expectEqual(try await names(storage, "/"), [], "entries after removal")
        },
        Check("listing reports kinds and sizes") { storage in
            try await storage.makeDirectory(try path("/dir"))
            try await writeText(storage, "abc", to: "/dir/file")
            try await storage.makeDirectory(try path("/dir/sub"))
            let entries = try await storage.listAll(try path("/dir"))
            let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.attributes) })
            try expectEqual(Set(byName.keys), ["file", "sub"], "names")
            try expectEqual(byName["file"]?.kind, .file, "kind of file")
            try expectEqual(byName["file"]?.size, 3, "size of file")
            try expectEqual(byName["sub"]?.kind, .directory, "kind of sub")
            try await expectError(.notADirectory, "listing a file") {
                _ = try await storage.list(try path("/dir/file"), pageSize: 10, after: nil)
            }
            try await expectError(.invalidArgument, "listing with page size 0") {
                _ = try await storage.list(try path("/dir"), pageSize: 0, after: nil)
            }
        },
        Check("listing 1,050 entries in pages of 100") { storage in
            let directory = try path("/many")
            try await storage.makeDirectory(directory)
            let expected = (0..<1050).map { "entry-\(String($0 * 7919 % 1050 + 10_000).dropFirst())" }
            for name in expected {
                try await storage.write(try directory.appending(name), bytes: bytes(name))
            }
            var seen: [String] = []
            var continuation: ListingContinuation? = nil
            var pages = 0
            repeat {
                let page = try await storage.list(directory, pageSize: 100, after: continuation)
                try expect(page.entries.count <= 100, "page \(pages) has \(page.entries.count) entries")
                try expect(
                    !page.entries.isEmpty || page.continuation == nil,
                    "page \(pages) is empty but the listing continues"
                )
                seen += page.entries.map(\.name)
                continuation = page.continuation
                pages += 1
                try expect(pages <= 1050, "the listing does not end")
            } while continuation != nil
            try expect(pages >= 11, "1,050 entries came in \(pages) pages of at most 100")
            try expectEqual(seen.count, 1050, "entries listed (duplicates included)")
            try expectEqual(Set(seen), Set(expected), "names listed")
            let large = try await storage.list(directory, pageSize: 5000, after: nil)
            try expectEqual(large.entries.count, 1050, "entries in one large page")
            try expect(large.continuation == nil, "a page holding everything has no continuation")
        },
        Check("writes and directories need their parent", explicitDirectories: true) { storage in
            try await expectError(.notFound, "writing into a missing directory") {
                try await writeText(storage, "x", to: "/missing/file")
            }
            try await expectError(.notFound, "making a directory in a missing directory") {
                try await storage.makeDirectory(try path("/missing/dir"))
            }
            try expectEqual(try await names(storage, "/"), [], "entries afterwards")
        },
        Check("paths through a file are notADirectory", explicitDirectories: true) { storage in
            try await writeText(storage, "x", to: "/file")
            try await expectError(.notADirectory, "attributes below a file") {
                _ = try await storage.attributes(of: try path("/file/below"))
            }
            try await expectError(.notADirectory, "writing below a file") {
                try await writeText(storage, "y", to: "/file/below")
            }
            try await expectError(.notADirectory, "making a directory below a file") {
                try await storage.makeDirectory(try path("/file/below"))
            }
            try expectEqual(try await readText(storage, "/file"), "x", "the file afterwards")
        },
    ]
}

extension StorageConformance.Check {
    /// A check about real directories, skipped for backends without ``ExplicitDirectories``.
    init(_ name: String, explicitDirectories: Bool, _ body: @escaping @Sendable (any Storage) async throws -> Void) {
        self.init(name) { storage in
            _ = try capability(storage, (any ExplicitDirectories).self)
            try await body(storage)
        }
    }
}

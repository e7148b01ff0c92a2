import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let symlinkChecks: [Check] = [
        Check("symlinks: create, read and stat without following") { storage in
            let linker = try capability(storage, (any Symlinking).self)
            try await writeText(storage, "target contents", to: "/target.txt")
            try await linker.createSymlink(at: try path("/link"), target: "target.txt")
            try expectEqual(try await linker.readSymlink(try path("/link")), "target.txt", "link target")
            let attributes = try await storage.attributes(of: try path("/link"))
            try expectEqual(attributes.kind, .symlink, "kind of the link")
            let listed = try await storage.listAll(.root)
            try expectEqual(listed.first { $0.name == "link" }?.kind, .symlink, "listed kind of the link")
            try await expectError(.alreadyExists, "creating a link where an entry is") {
                try await linker.createSymlink(at: try path("/target.txt"), target: "elsewhere")
            }
            try await expectError(.invalidArgument, "reading a file as a link") {
                _ = try await linker.readSymlink(try path("/target.txt"))
            }
            try await storage.removeFile(try path("/link"))
            try expectEqual(try await names(storage, "/"), ["target.txt"], "removing the link keeps the target")
            try expectEqual(try await readText(storage, "/target.txt"), "target contents", "target afterwards")
        },
        Check("symlinks: followed inside the root", followsSymlinks: true) { storage in
            let linker = try capability(storage, (any Symlinking).self)
            try await storage.makeDirectory(try path("/real"))
            try await writeText(storage, "inside", to: "/real/file")
            try await linker.createSymlink(at: try path("/file-link"), target: "real/file")
            try await linker.createSymlink(at: try path("/dir-link"), target: "real")
            try await storage.makeDirectory(try path("/other"))
            try await linker.createSymlink(at: try path("/other/up-link"), target: "../real/file")
            try expectEqual(try await readText(storage, "/file-link"), "inside", "read through a file link")
            try expectEqual(try await readText(storage, "/dir-link/file"), "inside", "read through a directory link")
            try expectEqual(try await readText(storage, "/other/up-link"), "inside", "read through a ../ link")
            try expectEqual(try await names(storage, "/dir-link"), ["file"], "list through a directory link")
            let followed = try await linker.attributesFollowingSymlinks(of: try path("/file-link"))
            try expectEqual(followed.kind, .file, "kind when following")
            try expectEqual(followed.size, 6, "size when following")
        },
        Check("symlinks: dangling and escaping links are not followed") { storage in
            let linker = try capability(storage, (any Symlinking).self)
            try await writeText(storage, "secret", to: "/file")
            try await storage.makeDirectory(try path("/dir"))
            try await linker.createSymlink(at: try path("/dangling"), target: "nowhere")
            try await linker.createSymlink(at: try path("/dir/escape"), target: "../../file")
            try await linker.createSymlink(at: try path("/absolute"), target: "/file")
            try expectEqual(try await storage.attributes(of: try path("/dangling")).kind, .symlink, "dangling link")
            try await expectFailure("reading through a dangling link") {
                _ = try await storage.read(try path("/dangling"), at: 0, count: 10)
            }
            try await expectError(.permissionDenied, "reading through a link above the root") {
                _ = try await storage.read(try path("/dir/escape"), at: 0, count: 10)
            }
            try await expectError(.permissionDenied, "reading through an absolute link") {
                _ = try await storage.read(try path("/absolute"), at: 0, count: 10)
            }
            try await expectError(.permissionDenied, "stat through a link above the root") {
                _ = try await linker.attributesFollowingSymlinks(of: try path("/dir/escape"))
            }
        },
    ]

    static let hardLinkChecks: [Check] = [
        Check("hard links share the file") { storage in
            let linker = try capability(storage, (any HardLinking).self)
            try await writeText(storage, "shared", to: "/a")
            try await linker.createHardLink(at: try path("/b"), to: try path("/a"))
            try expectEqual(try await readText(storage, "/b"), "shared", "contents through the second name")
            try await storage.removeFile(try path("/a"))
            try expectEqual(try await readText(storage, "/b"), "shared", "contents after removing the first name")
            try await writeText(storage, "other", to: "/c")
            try await expectError(.alreadyExists, "linking onto an existing name") {
                try await linker.createHardLink(at: try path("/c"), to: try path("/b"))
            }
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.permissionDenied, "hard-linking a directory") {
                try await linker.createHardLink(at: try path("/dir2"), to: try path("/dir"))
            }
            try await expectError(.notFound, "hard-linking a missing file") {
                try await linker.createHardLink(at: try path("/d"), to: try path("/missing"))
            }
            try expectEqual(try await names(storage, "/"), ["b", "c", "dir"], "entries afterwards")
        }
    ]
}

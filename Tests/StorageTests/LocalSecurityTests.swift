#if os(Linux)
import FerryCore
import NIOCore
import Storage
import StorageLocal
import Testing

/// Every way out of a LocalStorage root we know of must be refused and leave everything outside unchanged.
@Suite("LocalStorage stays inside its root")
struct LocalSecurityTests {
    @Test(arguments: Jail.resolutions)
    func dotDotInputIsClampedAtTheRoot(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            for input in [
                "../secret/secret.txt", "/../../secret/secret.txt", "inside/../../secret/secret.txt",
                "../../../../../../../../etc/passwd", "../sibling.txt",
            ] {
                let parsed = try FerryPath(parsing: input)
                await #expect(throws: FerryError.self, "\(input)") {
                    _ = try await jail.storage.read(parsed, at: 0, count: 100)
                }
            }
            let up = try FerryPath(parsing: "../..", relativeTo: try path("/inside"))
            #expect(up == .root)
            let listed = try await jail.storage.listAll(up).map(\.name)
            #expect(listed.contains("inside") && !listed.contains("secret") && !listed.contains("sibling.txt"))
            // A host path is just a path inside the root.
            await #expect(throws: FerryError.self) {
                _ = try await jail.storage.read(try path(jail.secret + "/secret.txt"), at: 0, count: 100)
            }
        }
    }

    @Test(arguments: Jail.resolutions)
    func readingThroughLinksThatLeaveIsRefused(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            for target in [
                "/escape-abs/secret.txt", "/escape-rel/secret.txt", "/secret-file",
                "/inside/deep-escape/secret.txt", "/dotdot/sibling.txt", "/dotdot/secret/secret.txt",
            ] {
                await jail.expectRefused("read \(target)") {
                    _ = try await storage.read(try path(target), at: 0, count: 99)
                }
            }
            await jail.expectRefused("stat through a link") {
                _ = try await storage.attributes(of: try path("/escape-abs/secret.txt"))
            }
            await jail.expectRefused("stat following a link") {
                _ = try await storage.attributesFollowingSymlinks(of: try path("/secret-file"))
            }
            await jail.expectRefused("space report through a link") {
                _ = try await storage.spaceReport(for: try path("/escape-abs"))
            }
            await jail.expectRefused("copy from outside") {
                try await storage.copy(try path("/secret-file"), to: try path("/stolen"), ifExists: .fail)
            }
            await jail.expectRefused("open for writing from an outside file") {
                _ = try await storage.openForWriting(try path("/secret-file"), initialContents: .existing)
            }
            // The links themselves may be seen and read; that reveals nothing the link does not hold.
            let link = try await storage.attributes(of: try path("/escape-abs"))
            #expect(link.kind == .symlink)
            let target = try await storage.readSymlink(try path("/escape-rel"))
            #expect(target == "../secret")
            let names = try await storage.listAll(.root).map(\.name).sorted()
            #expect(names == ["dotdot", "escape-abs", "escape-rel", "inside", "secret-file"])
        }
    }

    @Test(arguments: Jail.resolutions)
    func listingThroughLinksThatLeaveIsRefused(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            for directory in ["/escape-abs", "/escape-rel", "/inside/deep-escape", "/dotdot", "/escape-abs/sub"] {
                await jail.expectRefused("list \(directory)") {
                    _ = try await jail.storage.list(try path(directory), pageSize: 10, after: nil)
                }
            }
        }
    }

    @Test(arguments: Jail.resolutions)
    func writingThroughLinksThatLeaveIsRefused(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            for target in [
                "/escape-abs/new.txt", "/escape-rel/secret.txt", "/inside/deep-escape/new.txt",
                "/dotdot/sibling.txt", "/dotdot/new.txt",
            ] {
                await jail.expectRefused("write \(target)") {
                    try await storage.write(try path(target), bytes: ByteBuffer(string: "overwritten"))
                }
                await jail.expectRefused("open \(target) for writing") {
                    _ = try await storage.openForWriting(try path(target), initialContents: .empty)
                }
            }
            await jail.expectRefused("truncate through a link") {
                try await storage.truncate(try path("/secret-file"), to: 0)
            }
            await jail.expectRefused("copy to outside") {
                try await storage.copy(try path("/inside/file.txt"), to: try path("/escape-abs/copy"), ifExists: .fail)
            }
            await jail.expectRefused("symlink outside") {
                try await storage.createSymlink(at: try path("/escape-abs/link"), target: "x")
            }
            await jail.expectRefused("hard link outside") {
                try await storage.createHardLink(at: try path("/escape-abs/link"), to: try path("/inside/file.txt"))
            }
            await jail.expectRefused("hard link to an outside file") {
                try await storage.createHardLink(at: try path("/stolen"), to: try path("/escape-abs/secret.txt"))
            }
            await jail.expectRefused("chmod through a link") {
                try await storage.setPermissions(try path("/escape-abs/secret.txt"), to: 0o777)
            }
            await jail.expectRefused("utimes through a link") {
                try await storage.setTimes(
                    try path("/escape-rel/secret.txt"),
                    accessTime: nil,
                    modificationTime: .now()
                )
            }
            // Operations on the final link change the link, never its target.
            await #expect(throws: FerryError.self) {
                try await storage.setPermissions(try path("/secret-file"), to: 0o777)
            }
            try await storage.setTimes(try path("/secret-file"), accessTime: nil, modificationTime: .now())
            try await storage.write(try path("/secret-file"), bytes: ByteBuffer(string: "replaces the link"))
            #expect(try await storage.attributes(of: try path("/secret-file")).kind == .file)
        }
    }

    @Test(arguments: Jail.resolutions)
    func directoriesCannotBeMadeOrRemovedThroughLinks(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            for target in ["/escape-abs/new", "/escape-rel/new", "/inside/deep-escape/new", "/dotdot/new"] {
                await jail.expectRefused("mkdir \(target)") { try await jail.storage.makeDirectory(try path(target)) }
            }
            await jail.expectRefused("rmdir through a link") {
                try await jail.storage.removeDirectory(try path("/escape-abs/sub"))
            }
            await jail.expectRefused("rm through a link") {
                try await jail.storage.removeFile(try path("/escape-rel/secret.txt"))
            }
            // Removing the link itself is fine.
            try await jail.storage.removeFile(try path("/escape-abs"))
            try await jail.storage.removeFile(try path("/dotdot"))
        }
    }

    @Test(arguments: Jail.resolutions)
    func renamesIntoAndOutOfLinksAreRefused(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            await jail.expectRefused("rename into") {
                try await storage.move(
                    try path("/inside/file.txt"),
                    to: try path("/escape-abs/file.txt"),
                    ifExists: .replace
                )
            }
            await jail.expectRefused("rename over an outside file") {
                try await storage.move(
                    try path("/inside/file.txt"),
                    to: try path("/escape-rel/secret.txt"),
                    ifExists: .replace
                )
            }
            await jail.expectRefused("rename out of") {
                try await storage.move(try path("/escape-abs/secret.txt"), to: try path("/stolen.txt"), ifExists: .fail)
            }
            await jail.expectRefused("rename a directory out of") {
                try await storage.move(try path("/inside/deep-escape/sub"), to: try path("/stolen"), ifExists: .fail)
            }
            await jail.expectRefused("rename into the parent") {
                try await storage.move(try path("/inside"), to: try path("/dotdot/inside"), ifExists: .fail)
            }
            // Moving a link moves the link.
            try await storage.move(try path("/escape-abs"), to: try path("/inside/moved-link"), ifExists: .fail)
            #expect(try await storage.attributes(of: try path("/inside/moved-link")).kind == .symlink)
        }
    }

    @Test(arguments: Jail.resolutions)
    func aDirectorySwappedForALinkBetweenOperations(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            try await storage.makeDirectory(try path("/swap"))
            try await storage.write(try path("/swap/secret.txt"), bytes: ByteBuffer(string: "mine"))
            #expect(try await storage.listAll(try path("/swap")).map(\.name) == ["secret.txt"])
            // Someone with access to the disk swaps the directory for a link out of the root.
            try jail.sandbox.rename("root/swap", "root/swap-old")
            try jail.sandbox.symlink("root/swap", to: jail.secret)
            await jail.expectRefused("read after the swap") {
                _ = try await storage.read(try path("/swap/secret.txt"), at: 0, count: 100)
            }
            await jail.expectRefused("list after the swap") { _ = try await storage.listAll(try path("/swap")) }
            await jail.expectRefused("write after the swap") {
                try await storage.write(try path("/swap/new.txt"), bytes: ByteBuffer(string: "x"))
            }
            await jail.expectRefused("mkdir after the swap") { try await storage.makeDirectory(try path("/swap/d")) }
            await jail.expectRefused("rm after the swap") { try await storage.removeFile(try path("/swap/secret.txt")) }
            await jail.expectRefused("rename after the swap") {
                try await storage.move(
                    try path("/swap-old/secret.txt"),
                    to: try path("/swap/secret.txt"),
                    ifExists: .replace
                )
            }
        }
    }

    @Test(arguments: Jail.resolutions)
    func aDirectorySwappedDuringAnUploadCannotRedirectIt(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            try await storage.makeDirectory(try path("/swap"))
            let sandbox = jail.sandbox
            let secret = jail.secret
            // The stream swaps the directory between its two chunks, while the upload is under way.
            let stream = SwappingSequence(
                first: ByteBuffer(string: "first half, "),
                second: ByteBuffer(string: "second half")
            ) {
                try sandbox.rename("root/swap", "root/swap-old")
                try sandbox.symlink("root/swap", to: secret)
            }
            try await storage.write(try path("/swap/upload.txt"), from: stream)
            #expect(try await storage.listAll(try path("/swap-old")).map(\.name) == ["upload.txt"])
            #expect(
                String(buffer: try await storage.readAll(try path("/swap-old/upload.txt"))) == "first half, second half"
            )

            // The same with a random-access handle published after the swap.
            try jail.sandbox.rename("root/swap", "root/link-to-secret")
            try await storage.makeDirectory(try path("/swap"))
            let handle = try await storage.openForWriting(try path("/swap/handle.txt"), initialContents: .empty)
            try await handle.write(ByteBuffer(string: "written before"), at: 0)
            try jail.sandbox.rename("root/swap", "root/swap-older")
            try jail.sandbox.symlink("root/swap", to: jail.secret)
            try await handle.write(ByteBuffer(string: " and after"), at: 14)
            try await handle.publish()
            #expect(try await storage.listAll(try path("/swap-older")).map(\.name) == ["handle.txt"])
        }
    }

    @Test(arguments: Jail.resolutions)
    func linksToOutsideMayBeMadeButNeverFollowed(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            try await storage.createSymlink(at: try path("/made-abs"), target: jail.secret)
            try await storage.createSymlink(at: try path("/made-rel"), target: "../../../secret/secret.txt")
            #expect(try await storage.readSymlink(try path("/made-abs")) == jail.secret)
            await jail.expectRefused("read through a new absolute link") {
                _ = try await storage.read(try path("/made-abs/secret.txt"), at: 0, count: 100)
            }
            await jail.expectRefused("read through a new relative link") {
                _ = try await storage.read(try path("/made-rel"), at: 0, count: 100)
            }
            try await storage.createHardLink(at: try path("/hard"), to: try path("/secret-file"))
            #expect(try await storage.attributes(of: try path("/hard")).kind == .symlink)
            await jail.expectRefused("read through a hard link to a link") {
                _ = try await storage.read(try path("/hard"), at: 0, count: 100)
            }
        }
    }

    @Test(arguments: Jail.resolutions)
    func nulAndOddUnicodeStayInside(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            #expect(throws: FerryError.self) { try FerryPath(parsing: "/inside/\u{0}/../../secret") }
            #expect(throws: FerryError.self) { try FerryPath(parsing: Array("/a\u{0}".utf8)) }
            #expect(throws: FerryError.self) { try FerryPath.root.appending("secret\u{0}.txt") }
            // An overlong encoding of "..".
            #expect(throws: FerryError.self) { try FerryPath(parsing: [0x2F, 0xC0, 0xAE, 0xC0, 0xAE]) }
            let odd = [
                "..\u{2215}secret", "\u{FF0E}\u{FF0E}", "..\u{200B}", "\u{2024}\u{2024}", ".\u{301}.", "..\u{301}",
                "\u{FE52}\u{FE52}", "\u{202E}..", "..\\secret", "...", "\u{301}",
            ]
            for name in odd {
                try await jail.storage.write(try FerryPath.root.appending(name), bytes: ByteBuffer(string: name))
            }
            let parsed = try FerryPath(parsing: "/\u{301}../secret")
            #expect(parsed.components == ["\u{301}..", "secret"])
            await #expect(throws: FerryError.self) { _ = try await jail.storage.read(parsed, at: 0, count: 10) }
            let listed = try await jail.storage.listAll(.root).map(\.name)
            for name in odd {
                #expect(listed.contains { $0.utf8.elementsEqual(name.utf8) }, "\(name.debugDescription) is in the root")
            }
            let onDisk = try jail.sandbox.snapshot("root").count
            #expect(onDisk == 1 + 5 + 2 + odd.count)
        }
    }

    @Test(arguments: Jail.resolutions)
    func uploadsInProgressAreOutOfReach(_ resolution: LocalStorage.PathResolution) async throws {
        try await Jail.with(resolution) { jail in
            let storage = jail.storage
            let handle = try await storage.openForWriting(try path("/inside/upload.bin"), initialContents: .empty)
            try await handle.write(ByteBuffer(string: "partial"), at: 0)
            let names = try await storage.listAll(try path("/inside")).map(\.name)
            #expect(names.sorted() == ["deep-escape", "file.txt"])
            let temporary = try jail.sandbox.snapshot("root/inside").compactMap { line in
                line.split(separator: " ").first.map(String.init)?.split(separator: "/").last.map(String.init)
            }.first { $0.contains(".ferry-upload-") }
            let name = try #require(temporary)
            await #expect(throws: FerryError.self) {
                _ = try await storage.read(try path("/inside").appending(name), at: 0, count: 10)
            }
            await #expect(throws: FerryError.self) { try await storage.removeFile(try path("/inside").appending(name)) }
            await #expect(throws: FerryError.self) {
                try await storage.write(try path("/inside/.x.ferry-upload-0"), bytes: ByteBuffer(string: "x"))
            }
            try await handle.abort()
        }
    }
}

/// Yields `first`, runs `between`, then yields `second`: a race staged inside an upload.
struct SwappingSequence: AsyncSequence, Sendable {
    let first: ByteBuffer
    let second: ByteBuffer
    let between: @Sendable () throws -> Void

    func makeAsyncIterator() -> Iterator {
        Iterator(sequence: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        let sequence: SwappingSequence
        var step = 0

        mutating func next() async throws -> ByteBuffer? {
            defer { self.step += 1 }
            switch self.step {
            case 0: return self.sequence.first
            case 1:
                try self.sequence.between()
                return self.sequence.second
            default: return nil
            }
        }
    }
}
#endif

import FerryCore
import Foundation
import Logging
import NIOCore
import SFTPProtocol
import SFTPServer
import Storage
import StorageLocal
import StorageMemory
import Testing
import VFS

@Suite("SFTP session: handshake and framing")
struct SFTPHandshakeTests {
    @Test("VERSION 3 announces only the extensions the storage can honour")
    func versionAndExtensions() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            let version = await client.initialize()
            #expect(version.version == 3)
            let names = Set(version.extensions.map(\.name))
            let always = [
                "posix-rename@openssh.com", "fsync@openssh.com", "limits@openssh.com", "expand-path@openssh.com",
                "copy-data", "home-directory", "users-groups-by-id@openssh.com",
            ]
            for name in always {
                #expect(names.contains(name), "\(kind) lacks \(name)")
            }
            let posixOnly = ["hardlink@openssh.com", "lsetstat@openssh.com"]
            for name in posixOnly {
                #expect(names.contains(name) == (kind != "object-store"), "\(kind): \(name)")
            }
            #expect(names.contains("statvfs@openssh.com") == (storage is any SpaceReporting), "\(kind): statvfs")
            #expect(await client.finish() == nil)
        }
    }

    @Test("a session that does not start with INIT ends with an error")
    func requestBeforeInit() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryStorage()))
        client.send(.stat(.init(requestID: 1, path: "/")))
        let error = await client.finish()
        #expect((error as? SFTPError)?.code == .unexpectedPacketType)
    }

    @Test("an impossible packet length ends the session; the open upload is discarded")
    func badLength() async throws {
        let storage = MemoryStorage()
        let client = SFTPTestClient(vfs: try makeVFS(storage))
        _ = await client.initialize()
        let handle = try await client.open("/partial", [.write, .create, .truncate])
        #expect(await client.write(handle, "half") == .ok)
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(64 * 1024 * 1024))
        client.sendRaw(bytes)
        let error = await client.finish()
        #expect((error as? SFTPError)?.code == .badPacketLength)
        #expect(try await storage.listAll(.root).isEmpty)
    }

    @Test("an unknown packet type is answered with OP_UNSUPPORTED and the session goes on")
    func unknownPacketType() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryStorage()))
        _ = await client.initialize()
        var packet = ByteBuffer()
        packet.writeInteger(UInt32(5))
        packet.writeInteger(UInt8(150))
        packet.writeInteger(UInt32(77))
        client.sendRaw(packet)
        #expect(await client.reply(77).statusCode == .operationUnsupported)
        #expect(await client.stat("/").fileAttributes?.permissions?.isDirectory == true)
        #expect(await client.finish() == nil)
    }

    @Test("a second INIT ends the session")
    func duplicateInit() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryStorage()))
        _ = await client.initialize()
        var packet = ByteBuffer()
        packet.writeSFTPPacket(.initialize(.init(version: 3)))
        client.sendRaw(packet)
        #expect((await client.finish() as? SFTPError)?.code == .unexpectedPacketType)
    }

    @Test("packets split at every byte boundary are reassembled")
    func dripFed() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryStorage()))
        var packet = ByteBuffer()
        packet.writeSFTPPacket(.initialize(.init(version: 3)))
        packet.writeSFTPPacket(.realpath(.init(requestID: 9, path: "a/../b")))
        for byte in packet.readableBytesView {
            client.sendRaw(ByteBuffer(bytes: [byte]))
        }
        #expect(await client.reply(9).names?.first?.filename == "/b")
        #expect(await client.finish() == nil)
    }
}

@Suite("SFTP session: files")
struct SFTPFileTests {
    @Test("pipelined out-of-order writes, then a pipelined close, publish the exact bytes on every backend")
    func pipelinedUpload() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let data = pattern(3 * 1024 * 1024 + 123)
            let handle = try await client.open("/upload.bin", [.write, .create, .truncate])
            let chunk = 32 * 1024
            var offsets = Array(stride(from: 0, to: data.readableBytes, by: chunk))
            // Swap neighbours so writes arrive out of order, as they may from a pipelining client.
            for index in stride(from: 0, to: offsets.count - 1, by: 2) {
                offsets.swapAt(index, index + 1)
            }
            var ids: [UInt32] = []
            for offset in offsets {
                let slice = data.getSlice(at: offset, length: min(chunk, data.readableBytes - offset))!
                let id = client.nextID()
                client.send(.write(.init(requestID: id, handle: handle, offset: UInt64(offset), data: slice)))
                ids.append(id)
            }
            let closeID = client.nextID()
            client.send(.close(.init(requestID: closeID, handle: handle)))
            for id in ids {
                #expect(await client.reply(id).statusCode == .ok, "\(kind)")
            }
            #expect(await client.reply(closeID).statusCode == .ok, "\(kind)")
            let stored = try await storage.readAll(try FerryPath(parsing: "/upload.bin"))
            #expect(stored == data, "\(kind)")
            let read = try await client.open("/upload.bin", [.read])
            #expect(try await client.readAll(read) == data, "\(kind)")
            #expect(await client.close(read) == .ok)
            #expect(await client.finish() == nil)
        }
    }

    @Test("an upload is invisible until closed, and a session that ends first leaves nothing")
    func atomicUpload() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let handle = try await client.open("/report.csv", [.write, .create, .truncate])
            #expect(await client.write(handle, "a,b,c\n") == .ok)
            #expect(await client.stat("/report.csv").statusCode == .noSuchFile, "\(kind)")
            #expect(await client.finish() == nil)
            let listing = try await storage.listAll(.root).map(\.name)
            #expect(listing.isEmpty, "\(kind): \(listing)")
        }
    }

    @Test("FSTAT of an upload reports its size so far; of a download, the file")
    func fstat() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let handle = try await client.open("/f", [.write, .create, .truncate])
            #expect(await client.write(handle, "0123456789") == .ok)
            let during = await client.call { .fstat(.init(requestID: $0, handle: handle)) }
            #expect(during.fileAttributes?.size == 10, "\(kind)")
            #expect(await client.close(handle) == .ok)
            let read = try await client.open("/f", [.read])
            let after = await client.call { .fstat(.init(requestID: $0, handle: read)) }
            #expect(after.fileAttributes?.size == 10, "\(kind)")
            #expect(after.fileAttributes?.permissions?.isRegularFile == true, "\(kind)")
            #expect(await client.finish() == nil)
        }
    }

    @Test("times set on an upload's handle before closing land on the published file (put -p)")
    func fsetstatBeforeClose() async throws {
        try await withLocalStorage { storage, directory in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let handle = try await client.open("/kept", [.write, .create, .truncate])
            #expect(await client.write(handle, "x") == .ok)
            let attributes = SFTPFileAttributes(
                permissions: SFTPPermissions(fileType: nil, mode: 0o640),
                times: .init(accessTime: 1_000_000_000, modificationTime: 1_234_567_890)
            )
            #expect(
                await client.status { .fsetstat(.init(requestID: $0, handle: handle, attributes: attributes)) } == .ok
            )
            #expect(await client.close(handle) == .ok)
            let stat = try FileManager.default.attributesOfItem(atPath: directory + "/kept")
            #expect((stat[.modificationDate] as? Date)?.timeIntervalSince1970 == 1_234_567_890)
            #expect((stat[.posixPermissions] as? Int) == 0o640)
            #expect(await client.finish() == nil)
        }
    }

    @Test("READ past the end is EOF; reads are capped at the session's limit")
    func readLimits() async throws {
        let storage = MemoryStorage()
        try await storage.writeAll(try FerryPath(parsing: "/big"), pattern(600_000))
        let client = SFTPTestClient(vfs: try makeVFS(storage))
        _ = await client.initialize()
        let handle = try await client.open("/big", [.read])
        let huge = await client.call { .read(.init(requestID: $0, handle: handle, offset: 0, length: 1 << 30)) }
        guard case .data(let data) = huge else { throw UnexpectedReply(huge) }
        // OpenSSH's client refuses packets over 256 KiB, so a reply's data stays within 255 KiB.
        #expect(data.data.readableBytes == 255 * 1024)
        #expect(data.data.readableBytes > 0)
        let past = await client.call { .read(.init(requestID: $0, handle: handle, offset: 600_000, length: 10)) }
        #expect(past.statusCode == .eof)
        #expect(await client.finish() == nil)
    }

    @Test("open-flag table: EXCL on an existing file fails, no CREAT on a missing one fails, APPEND appends")
    func openFlags() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let first = try await client.open("/f", [.write, .create, .exclusive])
            #expect(await client.write(first, "abc") == .ok)
            #expect(await client.close(first) == .ok)
            let again = await client.call {
                .open(.init(requestID: $0, filename: "/f", flags: [.write, .create, .exclusive], attributes: .init()))
            }
            #expect(again.statusCode == .failure, "\(kind)")
            let missing = await client.call {
                .open(.init(requestID: $0, filename: "/nope", flags: [.write], attributes: .init()))
            }
            #expect(missing.statusCode == .noSuchFile, "\(kind)")
            let readMissing = await client.call {
                .open(.init(requestID: $0, filename: "/nope", flags: [.read], attributes: .init()))
            }
            #expect(readMissing.statusCode == .noSuchFile, "\(kind)")
            let directory = await client.call {
                .open(.init(requestID: $0, filename: "/", flags: [.read], attributes: .init()))
            }
            #expect(directory.statusCode == .failure, "\(kind)")
            if kind != "object-store" {
                let append = try await client.open("/f", [.write, .append])
                #expect(await client.write(append, "def", at: 0) == .ok)
                #expect(await client.close(append) == .ok)
                #expect(String(buffer: try await storage.readAll(try FerryPath(parsing: "/f"))) == "abcdef")
            }
            #expect(await client.finish() == nil)
        }
    }

    @Test("a stale or forged handle is refused without touching anything")
    func badHandles() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryStorage()))
        _ = await client.initialize()
        let handle = try await client.open("/f", [.write, .create])
        #expect(await client.close(handle) == .ok)
        #expect(await client.close(handle) == .failure)
        #expect(await client.write(handle, "late") == .failure)
        let forged = SFTPHandle(bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(await client.status { .read(.init(requestID: $0, handle: forged, offset: 0, length: 10)) } == .failure)
        #expect(await client.finish() == nil)
    }
}

@Suite("SFTP session: names and directories")
struct SFTPNameTests {
    @Test("a listing of 1,050 entries comes in replies of at most 100, with . and .., then EOF")
    func pagedListing() async throws {
        try await withEveryBackend { storage, kind in
            for index in 0..<1050 {
                try await storage.writeAll(try FerryPath(parsing: "/d/file-\(index)"), ByteBuffer(string: "\(index)"))
            }
            let client = SFTPTestClient(
                vfs: try makeVFS(storage),
                options: {
                    var options = SFTPServerOptions()
                    options.directoryPageSize = 300
                    options.now = { 1_800_000_000 }
                    return options
                }()
            )
            _ = await client.initialize()
            let opened = await client.call { .opendir(.init(requestID: $0, path: "/d")) }
            guard case .handle(let handle) = opened else { throw UnexpectedReply(opened) }
            var names: [String] = []
            var replies = 0
            while true {
                let reply = await client.call { .readdir(.init(requestID: $0, handle: handle.handle)) }
                if reply.statusCode == .eof { break }
                guard let entries = reply.names else { throw UnexpectedReply(reply) }
                #expect(entries.count <= 100)
                replies += 1
                for entry in entries {
                    names.append(entry.filename.description)
                    #expect(entry.longname.hasSuffix(" " + entry.filename.description))
                }
            }
            #expect(names.count == 1052, "\(kind)")
            #expect(Set(names).count == 1052, "\(kind)")
            #expect(names.prefix(2) == [".", ".."], "\(kind)")
            #expect(replies >= 11, "\(kind)")
            #expect(await client.close(handle.handle) == .ok)
            #expect(await client.finish() == nil)
        }
    }

    @Test("100,000 entries list completely, in bounded pages")
    func hundredThousandEntries() async throws {
        let storage = MemoryStorage()
        try await storage.makeDirectory(try FerryPath(parsing: "/big"))
        for index in 0..<100_000 {
            _ = try await storage.write(try FerryPath(parsing: "/big/f\(index)"), bytes: ByteBuffer())
        }
        let client = SFTPTestClient(vfs: try makeVFS(storage))
        _ = await client.initialize()
        let opened = await client.call { .opendir(.init(requestID: $0, path: "/big")) }
        guard case .handle(let handle) = opened else { throw UnexpectedReply(opened) }
        var seen = Set<String>()
        while true {
            let reply = await client.call { .readdir(.init(requestID: $0, handle: handle.handle)) }
            if reply.statusCode == .eof { break }
            guard let entries = reply.names, entries.count <= 100 else { throw UnexpectedReply(reply) }
            for entry in entries { seen.insert(entry.filename.description) }
        }
        #expect(seen.count == 100_002)
        #expect(await client.finish() == nil)
    }

    @Test("long names look like OpenSSH's ls -l lines")
    func longNames() async throws {
        let storage = MemoryStorage()
        try await storage.writeAll(try FerryPath(parsing: "/a.txt"), ByteBuffer(string: "hello"))
        var options = SFTPServerOptions()
        options.now = { 1_800_000_000 }
        let client = SFTPTestClient(vfs: try makeVFS(storage), options: options)
        _ = await client.initialize()
        let opened = await client.call { .opendir(.init(requestID: $0, path: "/")) }
        guard case .handle(let handle) = opened else { throw UnexpectedReply(opened) }
        let reply = await client.call { .readdir(.init(requestID: $0, handle: handle.handle)) }
        let entry = try #require(reply.names?.first { $0.filename == "a.txt" })
        let pattern =
            #/^-rw[-x][-r][-w][-x][-r][-w][-x]    1 \S+ +\S+ +5 [A-Z][a-z]{2} [ 0-9]\d (\d\d:\d\d| \d{4}) a\.txt$/#
        #expect(entry.longname.wholeMatch(of: pattern) != nil, "\(entry.longname)")
        #expect(entry.longname.hasPrefix("-rw-r--r--"), "\(entry.longname)")
        #expect(await client.finish() == nil)
    }

    @Test("OPENDIR of a file or a missing directory is NO_SUCH_FILE")
    func opendirErrors() async throws {
        let storage = MemoryStorage()
        try await storage.writeAll(try FerryPath(parsing: "/f"), ByteBuffer(string: "x"))
        let client = SFTPTestClient(vfs: try makeVFS(storage))
        _ = await client.initialize()
        #expect(await client.status { .opendir(.init(requestID: $0, path: "/f")) } == .noSuchFile)
        #expect(await client.status { .opendir(.init(requestID: $0, path: "/missing")) } == .noSuchFile)
        #expect(await client.finish() == nil)
    }

    @Test("REALPATH normalises against the home directory and never climbs above /")
    func realpath() async throws {
        let storage = MemoryStorage()
        let client = SFTPTestClient(vfs: try makeVFS(storage, home: try FerryPath(parsing: "/home/alice")))
        _ = await client.initialize()
        for (input, expected) in [
            (".", "/home/alice"), ("", "/home/alice"), ("../../../..", "/"), ("/x/./y/../z", "/x/z"),
        ] {
            let reply = await client.call { .realpath(.init(requestID: $0, path: SFTPPath(input))) }
            #expect(reply.names?.first?.filename.description == expected, "\(input)")
        }
        let nul = await client.call { .realpath(.init(requestID: $0, path: SFTPPath(bytes: [0x61, 0, 0x62]))) }
        #expect(nul.statusCode == .badMessage)
        #expect(await client.finish() == nil)
    }

    @Test("RENAME never replaces; posix-rename does")
    func renames() async throws {
        try await withEveryBackend { storage, kind in
            try await storage.writeAll(try FerryPath(parsing: "/a"), ByteBuffer(string: "A"))
            try await storage.writeAll(try FerryPath(parsing: "/b"), ByteBuffer(string: "B"))
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let plain = await client.call { .rename(.init(requestID: $0, oldPath: "/a", newPath: "/b")) }
            #expect(plain.statusCode == .failure, "\(kind): \(plain)")
            let posix = await client.extended(SFTPExtensions.PosixRename(oldPath: "/a", newPath: "/b"))
            #expect(posix.statusCode == .ok, "\(kind): \(posix)")
            #expect(String(buffer: try await storage.readAll(try FerryPath(parsing: "/b"))) == "A", "\(kind)")
            #expect(await client.status { .rename(.init(requestID: $0, oldPath: "/b", newPath: "/c")) } == .ok)
            #expect(await client.finish() == nil)
        }
    }

    @Test("mkdir, rmdir, remove and their errors")
    func directories() async throws {
        try await withEveryBackend { storage, kind in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            #expect(await client.status { .mkdir(.init(requestID: $0, path: "/d", attributes: .init())) } == .ok)
            #expect(await client.status { .mkdir(.init(requestID: $0, path: "/d", attributes: .init())) } == .failure)
            let file = try await client.open("/d/f", [.write, .create, .truncate])
            #expect(await client.close(file) == .ok)
            #expect(await client.status { .rmdir(.init(requestID: $0, path: "/d")) } == .failure, "\(kind)")
            #expect(await client.status { .remove(.init(requestID: $0, filename: "/d")) } != .ok, "\(kind)")
            #expect(await client.status { .remove(.init(requestID: $0, filename: "/d/f")) } == .ok)
            #expect(await client.status { .remove(.init(requestID: $0, filename: "/d/f")) } == .noSuchFile)
            #expect(await client.status { .rmdir(.init(requestID: $0, path: "/d")) } == .ok)
            #expect(await client.finish() == nil)
        }
    }

    @Test("symlinks: created in OpenSSH's argument order, read back, and never allowed to climb out")
    func symlinks() async throws {
        try await withLocalStorage { storage, directory in
            let client = SFTPTestClient(vfs: try makeVFS(storage))
            _ = await client.initialize()
            let file = try await client.open("/target.txt", [.write, .create, .truncate])
            #expect(await client.write(file, "inside") == .ok)
            #expect(await client.close(file) == .ok)
            let made = await client.status {
                .symlink(.init(requestID: $0, targetPath: "target.txt", linkPath: "/link"))
            }
            #expect(made == .ok)
            #expect(
                await client.call { .readlink(.init(requestID: $0, path: "/link")) }.names?.first?.filename
                    == "target.txt"
            )
            let lstat = await client.call { .lstat(.init(requestID: $0, path: "/link")) }
            #expect(lstat.fileAttributes?.permissions?.isSymbolicLink == true)
            #expect(await client.stat("/link").fileAttributes?.size == 6)
            let climbing = await client.status {
                .symlink(.init(requestID: $0, targetPath: "../../etc/passwd", linkPath: "/escape"))
            }
            #expect(climbing == .permissionDenied)
            // A link planted behind the server's back that points outside is never followed.
            try FileManager.default.createSymbolicLink(atPath: directory + "/planted", withDestinationPath: "/etc")
            #expect(await client.stat("/planted/passwd").statusCode != nil)
            #expect(await client.stat("/planted/passwd").fileAttributes == nil)
            let open = await client.call {
                .open(.init(requestID: $0, filename: "/planted/passwd", flags: [.read], attributes: .init()))
            }
            #expect(open.statusCode != nil)
            #expect(await client.finish() == nil)
        }
    }
}

@Suite("SFTP session: permissions and extensions")
struct SFTPPolicyTests {
    @Test("a read-only user can list and download but every change is PERMISSION_DENIED")
    func readOnly() async throws {
        let storage = MemoryStorage()
        try await storage.writeAll(try FerryPath(parsing: "/d/f"), ByteBuffer(string: "data"))
        let client = SFTPTestClient(vfs: try makeVFS(storage, permissions: .readOnly))
        _ = await client.initialize()
        let read = try await client.open("/d/f", [.read])
        #expect(String(buffer: try await client.readAll(read)) == "data")
        let denied: [(UInt32) -> SFTPRequest] = [
            { .open(.init(requestID: $0, filename: "/new", flags: [.write, .create], attributes: .init())) },
            { .open(.init(requestID: $0, filename: "/d/f", flags: [.write, .truncate], attributes: .init())) },
            { .remove(.init(requestID: $0, filename: "/d/f")) },
            { .rename(.init(requestID: $0, oldPath: "/d/f", newPath: "/d/g")) },
            { .mkdir(.init(requestID: $0, path: "/e", attributes: .init())) },
            { .rmdir(.init(requestID: $0, path: "/d")) },
            {
                .setstat(
                    .init(requestID: $0, path: "/d/f", attributes: .init(permissions: SFTPPermissions(rawValue: 0o777)))
                )
            },
            { .symlink(.init(requestID: $0, targetPath: "f", linkPath: "/d/l")) },
        ]
        for make in denied {
            #expect(await client.status(make) == .permissionDenied)
        }
        #expect(
            await client.extended(SFTPExtensions.PosixRename(oldPath: "/d/f", newPath: "/x")).statusCode
                == .permissionDenied
        )
        #expect(String(buffer: try await storage.readAll(try FerryPath(parsing: "/d/f"))) == "data")
        #expect(try await storage.listAll(.root).map(\.name) == ["d"])
        #expect(await client.finish() == nil)
    }

    @Test("extensions not announced are OP_UNSUPPORTED, unknown ones too")
    func unannounced() async throws {
        let client = SFTPTestClient(vfs: try makeVFS(MemoryObjectStorage()))
        _ = await client.initialize()
        #expect(
            await client.extended(SFTPExtensions.Hardlink(oldPath: "/a", newPath: "/b")).statusCode
                == .operationUnsupported
        )
        #expect(await client.extended(SFTPExtensions.StatVFS(path: "/")).statusCode == .operationUnsupported)
        let unknown = await client.call {
            .extended(.init(requestID: $0, name: "frobnicate@example.com", payload: ByteBuffer()))
        }
        #expect(unknown.statusCode == .operationUnsupported)
        #expect(await client.finish() == nil)
    }

    @Test("limits, expand-path, home-directory, statvfs, hardlink, copy-data and users-groups-by-id")
    func extensions() async throws {
        try await withLocalStorage { storage, directory in
            var options = SFTPServerOptions()
            options.userName = { $0 == 1234 ? "alice" : nil }
            let client = SFTPTestClient(
                vfs: try makeVFS(storage, home: try FerryPath(parsing: "/home")),
                options: options
            )
            _ = await client.initialize()
            guard case .extendedReply(let limitsReply) = await client.extended(SFTPExtensions.Limits()) else {
                Issue.record("no limits reply")
                return
            }
            let limits = try limitsReply.decode(SFTPExtensions.LimitsReply.self)
            #expect(limits.maximumPacketLength >= 256 * 1024)
            #expect(limits.maximumReadLength >= 32 * 1024)
            #expect(limits.maximumOpenHandles == 256)

            #expect(await client.extended(SFTPExtensions.ExpandPath(path: "~/in")).names?.first?.filename == "/home/in")
            #expect(await client.extended(SFTPExtensions.ExpandPath(path: "~alice")).names?.first?.filename == "/home")
            #expect(await client.extended(SFTPExtensions.ExpandPath(path: "~bob/x")).statusCode == .noSuchFile)
            #expect(await client.extended(SFTPExtensions.HomeDirectory(username: "")).names?.first?.filename == "/home")

            guard case .extendedReply(let space) = await client.extended(SFTPExtensions.StatVFS(path: "/")) else {
                Issue.record("no statvfs reply")
                return
            }
            #expect(try space.decode(SFTPExtensions.StatVFSReply.self).blockSize > 0)

            #expect(await client.status { .mkdir(.init(requestID: $0, path: "/home", attributes: .init())) } == .ok)
            let source = try await client.open("/home/src", [.write, .create, .truncate])
            #expect(await client.write(source, "0123456789") == .ok)
            #expect(await client.close(source) == .ok)
            #expect(
                await client.extended(SFTPExtensions.Hardlink(oldPath: "/home/src", newPath: "/home/hard")).statusCode
                    == .ok
            )
            #expect(try String(contentsOfFile: directory + "/home/hard", encoding: .utf8) == "0123456789")

            let from = try await client.open("/home/src", [.read])
            let to = try await client.open("/home/copy", [.write, .create, .truncate])
            let copy = await client.extended(
                SFTPExtensions.CopyData(
                    readFromHandle: from,
                    readFromOffset: 2,
                    readDataLength: 0,
                    writeToHandle: to,
                    writeToOffset: 0
                )
            )
            #expect(copy.statusCode == .ok)
            #expect(await client.extended(SFTPExtensions.Fsync(handle: to)).statusCode == .ok)
            #expect(await client.close(to) == .ok)
            #expect(try String(contentsOfFile: directory + "/home/copy", encoding: .utf8) == "23456789")

            guard
                case .extendedReply(let names) = await client.extended(
                    SFTPExtensions.UsersGroupsByID(userIDs: [1234, 99], groupIDs: [5])
                )
            else {
                Issue.record("no users-groups-by-id reply")
                return
            }
            let decoded = try names.decode(SFTPExtensions.UsersGroupsByIDReply.self)
            #expect(decoded.userNames == ["alice", ""])
            #expect(decoded.groupNames == [""])
            #expect(await client.finish() == nil)
        }
    }
}

/// Memory storage whose reads finish later the earlier they start in the file, so concurrent reads complete
/// in the reverse of the order they were asked for.
final class BackwardsStorage: Storage {
    let inner = MemoryStorage()

    func attributes(of path: FerryPath) async throws -> FileAttributes { try await self.inner.attributes(of: path) }
    func list(
        _ directory: FerryPath,
        pageSize: Int,
        after continuation: ListingContinuation?
    ) async throws
        -> DirectoryPage
    { try await self.inner.list(directory, pageSize: pageSize, after: continuation) }
    func read(_ path: FerryPath, at offset: UInt64, count: Int) async throws -> ByteBuffer {
        try await Task.sleep(for: .milliseconds(max(0, 200 - Int(offset / 1024))))
        return try await self.inner.read(path, at: offset, count: count)
    }
    func write<Contents: AsyncSequence>(_ path: FerryPath, from contents: Contents) async throws -> UInt64
    where Contents.Element == ByteBuffer { try await self.inner.write(path, from: contents) }
    func makeDirectory(_ path: FerryPath) async throws { try await self.inner.makeDirectory(path) }
    func removeDirectory(_ path: FerryPath) async throws { try await self.inner.removeDirectory(path) }
    func removeFile(_ path: FerryPath) async throws { try await self.inner.removeFile(path) }
}

@Suite("SFTP session: reply order")
struct SFTPReplyOrderTests {
    @Test("replies leave in request order even when later reads finish first (scp writes downloads in place)")
    func inRequestOrder() async throws {
        let storage = BackwardsStorage()
        _ = try await storage.write(try FerryPath(parsing: "/f"), bytes: pattern(200 * 1024))
        let output = CollectingOutput()
        let (input, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let session = SFTPServerSession(vfs: try makeVFS(storage), logger: Logger(label: "test"))
        let task = Task { try await session.run(input, output: output) }
        var packets = ByteBuffer()
        packets.writeSFTPPacket(.initialize(.init(version: 3)))
        packets.writeSFTPPacket(.open(.init(requestID: 1, filename: "/f", flags: [.read], attributes: .init())))
        continuation.yield(packets)
        var replies = output.replies.makeAsyncIterator()
        _ = await replies.next()
        guard case .handle(let handle) = await replies.next() else {
            Issue.record("no handle")
            return
        }
        var reads = ByteBuffer()
        for index in 0..<20 {
            let offset = UInt64(index) * 10 * 1024
            reads.writeSFTPPacket(
                .read(.init(requestID: UInt32(100 + index), handle: handle.handle, offset: offset, length: 10 * 1024))
            )
        }
        continuation.yield(reads)
        var order: [UInt32] = []
        for _ in 0..<20 {
            guard let reply = await replies.next() else { break }
            order.append(reply.requestID ?? 0)
        }
        #expect(order == (100..<120).map { UInt32($0) })
        continuation.finish()
        try await task.value
    }
}

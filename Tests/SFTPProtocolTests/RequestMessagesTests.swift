import NIOCore
import SFTPProtocol
import Testing

/// Requests, from the layouts of draft-ietf-secsh-filexfer-02 §4 and §6 (and OpenSSH PROTOCOL §4.1 for
/// SYMLINK). Each body is `byte type`, `uint32 id` (except INIT), then the fields.
let requestGoldens: [Golden] = [
    Golden("INIT", .initialize(.init(version: 3)), "01 00000003"),
    Golden(
        "INIT with an extension",
        .initialize(.init(version: 3, extensions: [.init(name: "x@example.com", data: "1")])),
        "01 00000003  0000000d 'x@example.com'  00000001 '1'",
        prefixMayParse: true
    ),
    Golden(
        "OPEN",
        .open(
            .init(
                requestID: 1,
                filename: "/srv/a",
                flags: [.read, .write, .create, .truncate],
                attributes: .init(permissions: SFTPPermissions(rawValue: 0o644))
            )
        ),
        "03 00000001  00000006 '/srv/a'  0000001b  00000004 000001a4"
    ),
    Golden(
        "OPEN exclusive with no attributes",
        .open(.init(requestID: 0xFFFF_FFFF, filename: "new", flags: [.write, .append, .create, .exclusive])),
        "03 ffffffff  00000003 'new'  0000002e  00000000"
    ),
    Golden("CLOSE", .close(.init(requestID: 2, handle: h1)), "04 00000002  00000002 'h1'"),
    Golden(
        "READ",
        .read(.init(requestID: 3, handle: h1, offset: 0x1_0000_0000, length: 0x8000)),
        "05 00000003  00000002 'h1'  00000001 00000000  00008000"
    ),
    Golden(
        "WRITE",
        .write(.init(requestID: 4, handle: h1, offset: 0x10, data: ByteBuffer(string: "hello"))),
        "06 00000004  00000002 'h1'  00000000 00000010  00000005 'hello'"
    ),
    Golden("LSTAT", .lstat(.init(requestID: 5, path: "foo")), "07 00000005  00000003 'foo'"),
    Golden("FSTAT", .fstat(.init(requestID: 6, handle: h1)), "08 00000006  00000002 'h1'"),
    Golden(
        "SETSTAT truncating and touching",
        .setstat(
            .init(
                requestID: 7,
                path: "foo",
                attributes: .init(size: 0, times: .init(accessTime: 0x6500_0000, modificationTime: 0x6500_0001))
            )
        ),
        "09 00000007  00000003 'foo'  00000009 00000000 00000000 65000000 65000001"
    ),
    Golden(
        "FSETSTAT changing owner",
        .fsetstat(.init(requestID: 8, handle: h1, attributes: .init(ownership: .init(userID: 1000, groupID: 1000)))),
        "0a 00000008  00000002 'h1'  00000002 000003e8 000003e8"
    ),
    Golden("OPENDIR", .opendir(.init(requestID: 9, path: "dir")), "0b 00000009  00000003 'dir'"),
    Golden("READDIR", .readdir(.init(requestID: 10, handle: h1)), "0c 0000000a  00000002 'h1'"),
    Golden("REMOVE", .remove(.init(requestID: 11, filename: "foo")), "0d 0000000b  00000003 'foo'"),
    Golden(
        "MKDIR",
        .mkdir(.init(requestID: 12, path: "dir", attributes: .init(permissions: SFTPPermissions(rawValue: 0o755)))),
        "0e 0000000c  00000003 'dir'  00000004 000001ed"
    ),
    Golden("MKDIR with no attributes", .mkdir(.init(requestID: 12, path: "d")), "0e 0000000c  00000001 'd'  00000000"),
    Golden("RMDIR", .rmdir(.init(requestID: 13, path: "dir")), "0f 0000000d  00000003 'dir'"),
    Golden("REALPATH", .realpath(.init(requestID: 14, path: ".")), "10 0000000e  00000001 '.'"),
    Golden("REALPATH of the empty path", .realpath(.init(requestID: 14, path: "")), "10 0000000e  00000000"),
    Golden("STAT", .stat(.init(requestID: 15, path: "foo")), "11 0000000f  00000003 'foo'"),
    Golden(
        "RENAME",
        .rename(.init(requestID: 16, oldPath: "foo", newPath: "bar")),
        "12 00000010  00000003 'foo'  00000003 'bar'"
    ),
    Golden("READLINK", .readlink(.init(requestID: 17, path: "link")), "13 00000011  00000004 'link'"),
    // OpenSSH PROTOCOL §4.1: target first, then the link to create (the draft has them the other way).
    Golden(
        "SYMLINK",
        .symlink(.init(requestID: 3, targetPath: "target-name", linkPath: "/srv/link-name")),
        "14 00000003  0000000b 'target-name'  0000000e '/srv/link-name'"
    ),
    Golden(
        "EXTENDED with a raw payload",
        .extended(.init(requestID: 18, name: "x@example.com", payload: hex("01 02 03"))),
        "c8 00000012  0000000d 'x@example.com'  010203",
        prefixMayParse: true
    ),
]

@Suite struct RequestMessagesTests {
    @Test(arguments: requestGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    @Test(arguments: requestGoldens)
    func readAsRequest(_ golden: Golden) throws {
        var body = golden.body
        let request = try body.readSFTPRequest()
        #expect(SFTPMessage.request(request) == golden.message)
        #expect(request.requestID == golden.message.requestID)
    }

    @Test func requestIDs() {
        #expect(SFTPRequest.initialize(.init()).requestID == nil)
        #expect(SFTPRequest.stat(.init(requestID: 42, path: "x")).requestID == 42)
        #expect(SFTPRequest.initialize(.init()).packetType == .initialize)
        #expect(SFTPRequest.Initialize().version == 3)
    }

    /// The bytes OpenSSH 9.2's `sftp` client sent to `sftp-server` for `symlink target-name <link>`:
    /// the target came first.
    @Test func symlinkFollowsOpenSSHOrder() throws {
        var body = hex("14 00000003  0000000b 'target-name'  00000009 'link-name'")
        guard case .symlink(let symlink) = try body.readSFTPRequest() else {
            Issue.record("not a SYMLINK")
            return
        }
        #expect(symlink.targetPath == "target-name")
        #expect(symlink.linkPath == "link-name")
    }

    /// What OpenSSH 9.2's `sftp` client sends first: INIT, then limits@openssh.com, then REALPATH ".".
    @Test func openSSHClientOpening() throws {
        var decoder = SFTPPacketDecoder()
        decoder.append(
            hex(
                """
                00000005 01 00000003
                0000001b c8 00000001 00000012 'limits@openssh.com'
                0000000a 10 00000002 00000001 '.'
                """
            )
        )
        #expect(try decoder.nextMessage() == .request(.initialize(.init(version: 3))))
        #expect(try decoder.nextMessage() == .request(.extended(.init(requestID: 1, name: "limits@openssh.com"))))
        #expect(try decoder.nextMessage() == .request(.realpath(.init(requestID: 2, path: "."))))
        #expect(try decoder.nextMessage() == nil)
    }

    @Test func writeDataIsASliceOfThePacket() throws {
        var body = hex("06 00000004  00000002 'h1'  00000000 00000010  00000005 'hello'")
        guard case .write(let write) = try body.readSFTPRequest() else {
            Issue.record("not a WRITE")
            return
        }
        #expect(write.data == ByteBuffer(string: "hello"))
        // Zero copy: the data's bytes are the packet's bytes.
        let dataAddress = write.data.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let packetEnd = body.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(dataAddress + 5 == packetEnd)
    }

    @Test func pathsKeepBytesThatAreNotUTF8() throws {
        var body = hex("11 00000001  00000003 66 ff 6f")
        guard case .stat(let stat) = try body.readSFTPRequest() else {
            Issue.record("not a STAT")
            return
        }
        #expect(stat.path.bytes == [0x66, 0xFF, 0x6F])
        #expect(stat.path.string == nil)
        #expect(stat.path.description == "f\u{FFFD}o")
        #expect(encode(.request(.stat(stat))) == hex("11 00000001  00000003 66 ff 6f"))
        #expect(SFTPPath("é").bytes == [0xC3, 0xA9])
        #expect(SFTPPath("é").string == "é")
    }

    @Test func openFlagsDescribeThemselves() {
        #expect(SFTPOpenFlags([.read, .write, .create, .truncate]).description == "READ|WRITE|CREAT|TRUNC")
        #expect(SFTPOpenFlags([.append, .exclusive]).description == "APPEND|EXCL")
        #expect(SFTPOpenFlags(rawValue: 0x101).description == "READ|0x100")
        #expect(SFTPOpenFlags().description == "0")
        #expect(SFTPOpenFlags.read.rawValue == 1 && SFTPOpenFlags.exclusive.rawValue == 0x20)
    }

    @Test func responsesAreNotRequests() {
        var body = hex("65 00000009  00000000 00000000 00000000")
        #expect(throws: SFTPError(.unexpectedPacketType, "SSH_FXP_STATUS is not a request", requestID: 9)) {
            try body.readSFTPRequest()
        }
        #expect(body.readerIndex == 0)
    }
}

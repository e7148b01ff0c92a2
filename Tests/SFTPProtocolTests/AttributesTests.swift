import NIOCore
import SFTPProtocol
import Testing

/// ATTRS (draft-ietf-secsh-filexfer-02 §5) and the permission bits inside it.
@Suite struct AttributesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var attributes: SFTPFileAttributes
        var encoding: ByteBuffer
        var testDescription: String { self.name }
    }

    static let cases: [Case] = [
        Case(name: "empty", attributes: .init(), encoding: hex("00000000")),
        Case(name: "size", attributes: .init(size: 0x1_0000_0001), encoding: hex("00000001  00000001 00000001")),
        Case(
            name: "uid and gid",
            attributes: .init(ownership: .init(userID: 1000, groupID: 100)),
            encoding: hex("00000002  000003e8 00000064")
        ),
        Case(
            name: "permissions",
            attributes: .init(permissions: SFTPPermissions(fileType: .directory, mode: 0o755)),
            encoding: hex("00000004  000041ed")
        ),
        Case(
            name: "times",
            attributes: .init(times: .init(accessTime: 0xFFFF_FFFF, modificationTime: 0)),
            encoding: hex("00000008  ffffffff 00000000")
        ),
        Case(
            name: "extended",
            attributes: .init(extended: [.init(type: "a@b", data: []), .init(type: "c@d", data: [0xFF])]),
            encoding: hex("80000000  00000002  00000003 'a@b' 00000000  00000003 'c@d' 00000001 ff")
        ),
        Case(
            name: "everything",
            attributes: .init(
                size: 6,
                ownership: .init(userID: 0, groupID: 0),
                permissions: SFTPPermissions(rawValue: 0o100644),
                times: .init(accessTime: 1, modificationTime: 2),
                extended: [.init(type: "x@y", data: [1])]
            ),
            encoding: hex(
                """
                8000000f  00000000 00000006  00000000 00000000  000081a4  00000001 00000002
                00000001  00000003 'x@y' 00000001 01
                """
            )
        ),
    ]

    @Test(arguments: cases)
    func golden(_ testCase: Case) throws {
        var written = ByteBuffer()
        let count = written.writeSFTPFileAttributes(testCase.attributes)
        #expect(written == testCase.encoding, "wrote \(written.hexDump)")
        #expect(count == written.readableBytes)
        var input = testCase.encoding
        #expect(try input.readSFTPFileAttributes() == testCase.attributes)
        #expect(input.readableBytes == 0)
        #expect(testCase.attributes.flags.rawValue == testCase.encoding.getInteger(at: 0, as: UInt32.self))
    }

    @Test(arguments: cases)
    func everyProperPrefixFails(_ testCase: Case) {
        for length in 0..<testCase.encoding.readableBytes {
            var prefix = testCase.encoding.prefix(length)
            #expect(throws: SFTPError(.badMessage, "malformed ATTRS")) { try prefix.readSFTPFileAttributes() }
            #expect(prefix.readerIndex == 0)
        }
    }

    /// §5: "It is a protocol error if a packet with unsupported protocol bits is received." Bits of
    /// later versions (such as 0x10, ACCESSTIME in version 4) would bring fields version 3 cannot parse.
    @Test(arguments: [UInt32(0x10), 0x20, 0x100, 0x4000_0000])
    func unknownFlagsAreRejected(_ flag: UInt32) {
        var buffer = ByteBuffer()
        buffer.writeInteger(flag)
        buffer.writeRepeatingByte(0, count: 64)
        #expect(throws: SFTPError.self) { try buffer.readSFTPFileAttributes() }
    }

    /// A zero `extended_count` means the same as no extended attributes, and encodes as none.
    @Test func zeroExtendedCountNormalises() throws {
        var input = hex("80000000 00000000")
        let attributes = try input.readSFTPFileAttributes()
        #expect(attributes == SFTPFileAttributes())
        #expect(attributes.flags == [])
    }

    @Test func extendedCountBeyondThePacketIsRejected() {
        var input = hex("80000000  7fffffff  00000000 00000000")
        #expect(throws: SFTPError.self) { try input.readSFTPFileAttributes() }
    }

    @Test func flagValues() {
        typealias Flags = SFTPFileAttributes.Flags
        #expect(Flags.size.rawValue == 0x1)
        #expect(Flags.userGroupIDs.rawValue == 0x2)
        #expect(Flags.permissions.rawValue == 0x4)
        #expect(Flags.accessModificationTimes.rawValue == 0x8)
        #expect(Flags.extended.rawValue == 0x8000_0000)
        #expect(Flags.all.rawValue == 0x8000_000F)
    }

    @Test func fileTypes() {
        typealias FileType = SFTPPermissions.FileType
        let types: [(FileType, UInt32, Character, String)] = [
            (.fifo, 0o010000, "p", "S_IFIFO"), (.characterDevice, 0o020000, "c", "S_IFCHR"),
            (.directory, 0o040000, "d", "S_IFDIR"), (.blockDevice, 0o060000, "b", "S_IFBLK"),
            (.regular, 0o100000, "-", "S_IFREG"), (.symbolicLink, 0o120000, "l", "S_IFLNK"),
            (.socket, 0o140000, "s", "S_IFSOCK"),
        ]
        for (type, bits, symbol, name) in types {
            #expect(type.rawValue == bits)
            #expect(type.symbol == symbol)
            #expect(type.description == name)
            #expect(SFTPPermissions(rawValue: bits | 0o644).fileType == type)
        }
        #expect(FileType.mask == 0o170000)
        #expect(FileType(rawValue: 0o160000).symbol == "?")
    }

    @Test func permissionHelpers() {
        var mode = SFTPPermissions(fileType: .symbolicLink, mode: 0o777)
        #expect(mode.rawValue == 0o120777)
        #expect(mode.isSymbolicLink && !mode.isRegularFile && !mode.isDirectory)
        #expect(mode.mode == 0o777)
        #expect(mode.contains([.ownerRead, .groupWrite, .othersExecute]))
        mode.fileType = .regular
        #expect(mode.rawValue == 0o100777 && mode.isRegularFile)
        mode.fileType = nil
        #expect(mode.rawValue == 0o777 && mode.fileType == nil)
        #expect(SFTPPermissions(fileType: .directory, mode: 0o1_0755).rawValue == 0o040755)
        #expect(SFTPPermissions.setUserID.rawValue == 0o4000)
        #expect(SFTPPermissions.setGroupID.rawValue == 0o2000)
        #expect(SFTPPermissions.sticky.rawValue == 0o1000)
        #expect(SFTPPermissions(rawValue: 0o100644).description == "0o100644")
    }

    /// Mode strings as OpenSSH 9.2's sftp-server printed them in READDIR long names (the device
    /// and no-type rows follow the same rules; no such files were listed).
    @Test(arguments: [
        (UInt32(0o100644), "-rw-r--r--"), (0o040755, "drwxr-xr-x"), (0o120777, "lrwxrwxrwx"),
        (0o010644, "prw-r--r--"), (0o140755, "srwxr-xr-x"), (0o104755, "-rwsr-xr-x"),
        (0o104644, "-rwSr--r--"), (0o102644, "-rw-r-Sr--"), (0o041777, "drwxrwxrwt"),
        (0o041770, "drwxrwx--T"), (0o107777, "-rwsrwsrwt"), (0o100000, "----------"),
        (0o020660, "crw-rw----"), (0o060660, "brw-rw----"), (0o000644, "?rw-r--r--"),
    ])
    func modeStrings(_ mode: UInt32, _ expected: String) {
        #expect(SFTPPermissions(rawValue: mode).modeString == expected)
    }
}

import NIOCore
import SFTPProtocol
import Testing

/// OpenSSH's extended requests as whole SSH_FXP_EXTENDED packets, from OpenSSH PROTOCOL §4.3–§4.12:
/// `byte 200`, `uint32 id`, `string name`, then the extension's fields.
let extensionGoldens: [Golden] = [
    Golden(
        "posix-rename@openssh.com",
        .extended(.init(requestID: 5, SFTPExtensions.PosixRename(oldPath: "a", newPath: "b"))),
        "c8 00000005  00000018 'posix-rename@openssh.com'  00000001 'a'  00000001 'b'",
        prefixMayParse: true
    ),
    Golden(
        "statvfs@openssh.com",
        .extended(.init(requestID: 6, SFTPExtensions.StatVFS(path: "/"))),
        "c8 00000006  00000013 'statvfs@openssh.com'  00000001 '/'",
        prefixMayParse: true
    ),
    Golden(
        "fstatvfs@openssh.com",
        .extended(.init(requestID: 7, SFTPExtensions.FStatVFS(handle: h1))),
        "c8 00000007  00000014 'fstatvfs@openssh.com'  00000002 'h1'",
        prefixMayParse: true
    ),
    Golden(
        "hardlink@openssh.com",
        .extended(.init(requestID: 8, SFTPExtensions.Hardlink(oldPath: "a", newPath: "b"))),
        "c8 00000008  00000014 'hardlink@openssh.com'  00000001 'a'  00000001 'b'",
        prefixMayParse: true
    ),
    Golden(
        "fsync@openssh.com",
        .extended(.init(requestID: 9, SFTPExtensions.Fsync(handle: h1))),
        "c8 00000009  00000011 'fsync@openssh.com'  00000002 'h1'",
        prefixMayParse: true
    ),
    Golden(
        "lsetstat@openssh.com",
        .extended(
            .init(
                requestID: 10,
                SFTPExtensions.LSetStat(
                    path: "l",
                    attributes: .init(times: .init(accessTime: 1, modificationTime: 2))
                )
            )
        ),
        "c8 0000000a  00000014 'lsetstat@openssh.com'  00000001 'l'  00000008 00000001 00000002",
        prefixMayParse: true
    ),
    Golden(
        "limits@openssh.com",
        .extended(.init(requestID: 1, SFTPExtensions.Limits())),
        "c8 00000001  00000012 'limits@openssh.com'",
        prefixMayParse: true
    ),
    Golden(
        "expand-path@openssh.com",
        .extended(.init(requestID: 11, SFTPExtensions.ExpandPath(path: "~/x"))),
        "c8 0000000b  00000017 'expand-path@openssh.com'  00000003 '~/x'",
        prefixMayParse: true
    ),
    Golden(
        "copy-data",
        .extended(
            .init(
                requestID: 12,
                SFTPExtensions.CopyData(
                    readFromHandle: h1,
                    readFromOffset: 0x100,
                    readDataLength: 0,
                    writeToHandle: SFTPHandle(bytes: Array("h2".utf8)),
                    writeToOffset: 0x2_0000_0000
                )
            )
        ),
        """
        c8 0000000c  00000009 'copy-data'
           00000002 'h1'  00000000 00000100  00000000 00000000
           00000002 'h2'  00000002 00000000
        """,
        prefixMayParse: true
    ),
    Golden(
        "home-directory",
        .extended(.init(requestID: 13, SFTPExtensions.HomeDirectory(username: "alice"))),
        "c8 0000000d  0000000e 'home-directory'  00000005 'alice'",
        prefixMayParse: true
    ),
    // A request sent to OpenSSH 9.2's sftp-server while writing these tests: uids 0 and 4242, gids 0,
    // 99999 and 103.
    Golden(
        "users-groups-by-id@openssh.com",
        .extended(
            .init(requestID: 14, SFTPExtensions.UsersGroupsByID(userIDs: [0, 4242], groupIDs: [0, 99999, 103]))
        ),
        """
        c8 0000000e  0000001e 'users-groups-by-id@openssh.com'
           00000008 00000000 00001092
           0000000c 00000000 0001869f 00000067
        """,
        prefixMayParse: true
    ),
]

@Suite struct ExtensionTests {
    @Test(arguments: extensionGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    /// Every golden decodes by name to the typed request it was built from, and back.
    @Test(arguments: extensionGoldens)
    func typedDispatch(_ golden: Golden) throws {
        guard case .request(.extended(let extended)) = golden.message else {
            Issue.record("not an extended request")
            return
        }
        let typed = try SFTPExtendedRequest(extended)
        if case .unknown = typed { Issue.record("\(extended.name) was not recognised") }
        #expect(typed.request(id: extended.requestID) == extended)
    }

    @Test func unknownExtensionsStayRaw() throws {
        let extended = SFTPRequest.Extended(requestID: 1, name: "x@example.com", payload: hex("0102"))
        #expect(try SFTPExtendedRequest(extended) == .unknown(name: "x@example.com", payload: hex("0102")))
    }

    @Test func decodingAsAnotherExtensionFails() {
        let extended = SFTPRequest.Extended(requestID: 3, SFTPExtensions.Fsync(handle: h1))
        #expect(
            throws: SFTPError(.wrongExtension, "fsync@openssh.com is not hardlink@openssh.com", requestID: 3)
        ) {
            try extended.decode(SFTPExtensions.Hardlink.self)
        }
    }

    @Test func malformedPayloadsFailWithTheRequestID() {
        let truncated = SFTPRequest.Extended(
            requestID: 4,
            name: "posix-rename@openssh.com",
            payload: hex("00000001 'a'")
        )
        #expect(throws: SFTPError(.badMessage, "malformed posix-rename@openssh.com request", requestID: 4)) {
            try SFTPExtendedRequest(truncated)
        }
        // The id lists must be whole uint32s.
        let ragged = SFTPRequest.Extended(
            requestID: 5,
            name: "users-groups-by-id@openssh.com",
            payload: hex("00000003 000000  00000000")
        )
        #expect(throws: SFTPError.self) { try ragged.decode(SFTPExtensions.UsersGroupsByID.self) }
    }

    @Test func everyProperPrefixOfAnExtensionPayloadFails() {
        for golden in extensionGoldens {
            guard case .request(.extended(let extended)) = golden.message, extended.payload.readableBytes > 0 else {
                continue
            }
            for length in 0..<extended.payload.readableBytes {
                let prefix = SFTPRequest.Extended(
                    requestID: extended.requestID,
                    name: extended.name,
                    payload: extended.payload.prefix(length)
                )
                #expect(throws: SFTPError.self, "\(extended.name), \(length) bytes") { try SFTPExtendedRequest(prefix) }
            }
        }
    }

    /// OpenSSH PROTOCOL §4.2, and what OpenSSH 9.2's sftp-server sent in SSH_FXP_VERSION.
    @Test func openSSHAdvertisement() throws {
        let observed = hex(
            """
            02 00000003
            00000018 'posix-rename@openssh.com' 00000001 '1'
            00000013 'statvfs@openssh.com' 00000001 '2'
            00000014 'fstatvfs@openssh.com' 00000001 '2'
            00000014 'hardlink@openssh.com' 00000001 '1'
            00000011 'fsync@openssh.com' 00000001 '1'
            00000014 'lsetstat@openssh.com' 00000001 '1'
            00000012 'limits@openssh.com' 00000001 '1'
            00000017 'expand-path@openssh.com' 00000001 '1'
            00000009 'copy-data' 00000001 '1'
            0000000e 'home-directory' 00000001 '1'
            0000001e 'users-groups-by-id@openssh.com' 00000001 '1'
            """
        )
        let version = SFTPResponse.version(.init(version: 3, extensions: SFTPExtensions.openSSHAdvertisement))
        #expect(encode(.response(version)) == observed)
        #expect(try decode(observed) == .response(version))
    }

    /// The statvfs@openssh.com reply OpenSSH 9.2's sftp-server sent for a local file system.
    @Test func statVFSReply() throws {
        let payload = hex(
            """
            00000000 00001000  00000000 00001000  00000000 03efe39d  00000000 03ae75b3
            00000000 013879d9  00000000 01000000  00000000 00f97022  00000000 00f97022
            58251d13 316843ff  00000000 00000000  00000000 000000ff
            """
        )
        let reply = SFTPResponse.ExtendedReply(requestID: 3, payload: payload)
        let statvfs = try reply.decode(SFTPExtensions.StatVFSReply.self)
        #expect(
            statvfs
                == SFTPExtensions.StatVFSReply(
                    blockSize: 4096,
                    fragmentSize: 4096,
                    totalBlocks: 0x3EF_E39D,
                    freeBlocks: 0x3AE_75B3,
                    availableBlocks: 0x138_79D9,
                    totalFileNodes: 0x100_0000,
                    freeFileNodes: 0xF9_7022,
                    availableFileNodes: 0xF9_7022,
                    fileSystemID: 0x5825_1D13_3168_43FF,
                    flags: [],
                    maximumNameLength: 255
                )
        )
        #expect(SFTPResponse.ExtendedReply(requestID: 3, statvfs) == reply)
        var readOnly = statvfs
        readOnly.flags = [.readOnly, .noSetID]
        var written = ByteBuffer()
        readOnly.write(to: &written)
        #expect(written.getInteger(at: 9 * 8, as: UInt64.self) == 3)
        for length in 0..<payload.readableBytes {
            #expect(throws: SFTPError.self) {
                try SFTPResponse.ExtendedReply(requestID: 3, payload: payload.prefix(length))
                    .decode(SFTPExtensions.StatVFSReply.self)
            }
        }
    }

    /// The limits@openssh.com reply OpenSSH 9.2's sftp-server sent.
    @Test func limitsReply() throws {
        let payload = hex("00000000 00040000  00000000 0003fc00  00000000 0003fc00  00000000 00004e1b")
        let limits = try SFTPResponse.ExtendedReply(requestID: 1, payload: payload).decode(
            SFTPExtensions.LimitsReply.self
        )
        #expect(
            limits
                == SFTPExtensions.LimitsReply(
                    maximumPacketLength: 256 * 1024,
                    maximumReadLength: 255 * 1024,
                    maximumWriteLength: 255 * 1024,
                    maximumOpenHandles: 19995
                )
        )
        #expect(SFTPResponse.ExtendedReply(requestID: 1, limits).payload == payload)
        #expect(throws: SFTPError(.badMessage, "malformed LimitsReply payload", requestID: 1)) {
            try SFTPResponse.ExtendedReply(requestID: 1, payload: payload.prefix(31)).decode(
                SFTPExtensions.LimitsReply.self
            )
        }
    }

    /// The users-groups-by-id@openssh.com reply OpenSSH 9.2's sftp-server sent for the golden request
    /// above: gid 99999 has no name, so its place holds an empty string.
    @Test func usersGroupsByIDReply() throws {
        let payload = hex(
            """
            00000025  00000004 'root'  00000019 'averyveryverylongusername'
            00000018  00000004 'root'  00000000  00000008 'ssl-cert'
            """
        )
        let reply = try SFTPResponse.ExtendedReply(requestID: 14, payload: payload)
            .decode(SFTPExtensions.UsersGroupsByIDReply.self)
        #expect(reply.userNames == ["root", "averyveryverylongusername"])
        #expect(reply.groupNames == ["root", "", "ssl-cert"])
        #expect(SFTPResponse.ExtendedReply(requestID: 14, reply).payload == payload)

        let empty = SFTPExtensions.UsersGroupsByIDReply(userNames: [], groupNames: [])
        #expect(SFTPResponse.ExtendedReply(requestID: 1, empty).payload == hex("00000000 00000000"))
        // A name cut short inside its list is malformed even though the outer strings are whole.
        let cut = hex("00000006  00000004 'ro'  00000000")
        #expect(throws: SFTPError.self) {
            try SFTPResponse.ExtendedReply(requestID: 1, payload: cut).decode(SFTPExtensions.UsersGroupsByIDReply.self)
        }
    }

    @Test func expandPathAndHomeDirectoryAreAnsweredWithName() throws {
        // OpenSSH 9.2's sftp-server answered expand-path@openssh.com with one NAME entry.
        let reply = try decode(hex("68 00000004  00000001  00000006 '/srv/x'  00000006 '/srv/x'  00000000"))
        #expect(
            reply == .response(.name(.init(requestID: 4, entries: [.init(filename: "/srv/x", longname: "/srv/x")])))
        )
        #expect(SFTPExtensions.HomeDirectory().username == "")
    }
}

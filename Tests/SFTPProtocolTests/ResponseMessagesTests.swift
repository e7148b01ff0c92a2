import NIOCore
import SFTPProtocol
import Testing

/// Responses, from the layouts of draft-ietf-secsh-filexfer-02 §4, §7 and §8. Each body is
/// `byte type`, `uint32 id` (except VERSION), then the fields.
let responseGoldens: [Golden] = [
    Golden("VERSION", .version(.init(version: 3)), "02 00000003"),
    Golden(
        "VERSION with an extension",
        .version(.init(version: 3, extensions: [.init(name: "posix-rename@openssh.com", data: "1")])),
        "02 00000003  00000018 'posix-rename@openssh.com'  00000001 '1'",
        prefixMayParse: true
    ),
    // As OpenSSH's sftp-server answers REALPATH of a missing file.
    Golden(
        "STATUS",
        .status(.init(requestID: 5, code: .noSuchFile, message: "No such file", languageTag: "")),
        "65 00000005  00000002  0000000c 'No such file'  00000000",
        prefixMayParse: true
    ),
    Golden(
        "STATUS with a language tag",
        .status(.init(requestID: 6, code: .ok, message: "Success", languageTag: "en")),
        "65 00000006  00000000  00000007 'Success'  00000002 'en'",
        prefixMayParse: true
    ),
    Golden(
        "HANDLE",
        .handle(.init(requestID: 1, handle: SFTPHandle(bytes: [0, 0, 0, 0]))),
        "66 00000001  00000004 00000000"
    ),
    Golden("DATA", .data(.init(requestID: 3, data: ByteBuffer(string: "hello"))), "67 00000003  00000005 'hello'"),
    Golden("DATA, empty", .data(.init(requestID: 3, data: ByteBuffer())), "67 00000003  00000000"),
    // As OpenSSH's sftp-server answers REALPATH: the path as both names, and empty attributes.
    Golden(
        "NAME for REALPATH",
        .name(.init(requestID: 14, entries: [.init(filename: "/home", longname: "/home")])),
        "68 0000000e  00000001  00000005 '/home'  00000005 '/home'  00000000"
    ),
    Golden(
        "NAME for READDIR",
        .name(
            .init(
                requestID: 7,
                entries: [
                    .init(
                        filename: "a",
                        longname: "-rw-r--r--    1 root     root            6 Nov 22 04:02 a",
                        attributes: .init(
                            size: 6,
                            ownership: .init(userID: 0, groupID: 0),
                            permissions: SFTPPermissions(rawValue: 0o100644),
                            times: .init(accessTime: 0x6B02_1E3B, modificationTime: 0x6B02_1E3B)
                        )
                    ),
                    .init(filename: "b", longname: "b"),
                ]
            )
        ),
        """
        68 00000007  00000002
           00000001 'a'
           00000039 '-rw-r--r--    1 root     root            6 Nov 22 04:02 a'
           0000000f  00000000 00000006  00000000 00000000  000081a4  6b021e3b 6b021e3b
           00000001 'b'  00000001 'b'  00000000
        """
    ),
    Golden("NAME, empty", .name(.init(requestID: 7, entries: [])), "68 00000007  00000000"),
    Golden(
        "ATTRS",
        .attributes(
            .init(
                requestID: 15,
                attributes: .init(
                    size: 6,
                    ownership: .init(userID: 0, groupID: 0),
                    permissions: SFTPPermissions(rawValue: 0o100644),
                    times: .init(accessTime: 0x6B02_1E3B, modificationTime: 0x6B02_1E3B),
                    extended: [.init(type: "x@y", data: [1, 2])]
                )
            )
        ),
        """
        69 0000000f  8000000f  00000000 00000006  00000000 00000000  000081a4  6b021e3b 6b021e3b
           00000001  00000003 'x@y'  00000002 0102
        """
    ),
    // OpenSSH 9.2's sftp-server's reply to limits@openssh.com.
    Golden(
        "EXTENDED_REPLY",
        .extendedReply(
            .init(
                requestID: 1,
                payload: hex("00000000 00040000  00000000 0003fc00  00000000 0003fc00  00000000 00004e1b")
            )
        ),
        "c9 00000001  00000000 00040000  00000000 0003fc00  00000000 0003fc00  00000000 00004e1b",
        prefixMayParse: true
    ),
]

@Suite struct ResponseMessagesTests {
    @Test(arguments: responseGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    @Test(arguments: responseGoldens)
    func readAsResponse(_ golden: Golden) throws {
        var body = golden.body
        let response = try body.readSFTPResponse()
        #expect(SFTPMessage.response(response) == golden.message)
        #expect(response.requestID == golden.message.requestID)
    }

    /// Version 2 servers end STATUS after the code (draft-ietf-secsh-filexfer-02 §10.1 added the
    /// strings); such a packet still decodes.
    @Test func statusWithoutStrings() throws {
        #expect(
            try decode(hex("65 00000005 00000001"))
                == .response(.status(.init(requestID: 5, code: .eof, message: "", languageTag: "")))
        )
        #expect(
            try decode(hex("65 00000005 00000001  00000003 'EOF'"))
                == .response(.status(.init(requestID: 5, code: .eof, message: "EOF", languageTag: "")))
        )
    }

    @Test func statusMessageDefaultsToOpenSSHText() {
        #expect(SFTPResponse.Status(requestID: 1, code: .eof).message == "End of file")
        #expect(SFTPResponse.Status(requestID: 1, code: .operationUnsupported).message == "Operation unsupported")
        #expect(SFTPResponse.Status(requestID: 1, code: .failure, message: "disk full").message == "disk full")
    }

    @Test func statusCodes() {
        let codes: [(SFTPStatusCode, UInt32, String)] = [
            (.ok, 0, "SSH_FX_OK"), (.eof, 1, "SSH_FX_EOF"), (.noSuchFile, 2, "SSH_FX_NO_SUCH_FILE"),
            (.permissionDenied, 3, "SSH_FX_PERMISSION_DENIED"), (.failure, 4, "SSH_FX_FAILURE"),
            (.badMessage, 5, "SSH_FX_BAD_MESSAGE"), (.noConnection, 6, "SSH_FX_NO_CONNECTION"),
            (.connectionLost, 7, "SSH_FX_CONNECTION_LOST"), (.operationUnsupported, 8, "SSH_FX_OP_UNSUPPORTED"),
        ]
        for (code, value, name) in codes {
            #expect(code.rawValue == value)
            #expect(code.description == name)
        }
        #expect(SFTPStatusCode(rawValue: 9).description == "SSH_FX_9")
    }

    @Test func invalidUTF8InTextIsReplaced() throws {
        let message = try decode(hex("65 00000001  00000004  00000002 'a' ff  00000000"))
        #expect(
            message == .response(.status(.init(requestID: 1, code: .failure, message: "a\u{FFFD}", languageTag: "")))
        )
    }

    @Test func requestsAreNotResponses() {
        var body = hex("11 00000003  00000001 '.'")
        #expect(throws: SFTPError(.unexpectedPacketType, "SSH_FXP_STAT is not a response", requestID: 3)) {
            try body.readSFTPResponse()
        }
        #expect(body.readerIndex == 0)
    }

    @Test func nameCountBeyondThePacketIsRejected() {
        // A count of 0x10000000 entries in a 12-byte remainder must fail before reserving anything.
        var body = hex("68 00000001  10000000  00000000 00000000 00000000")
        #expect(throws: SFTPError(.badMessage, "malformed SSH_FXP_NAME", requestID: 1)) {
            try body.readSFTPResponse()
        }
    }

    @Test func packetTypes() {
        let all: [(SFTPPacketType, UInt8, String)] = [
            (.initialize, 1, "SSH_FXP_INIT"), (.version, 2, "SSH_FXP_VERSION"), (.open, 3, "SSH_FXP_OPEN"),
            (.close, 4, "SSH_FXP_CLOSE"), (.read, 5, "SSH_FXP_READ"), (.write, 6, "SSH_FXP_WRITE"),
            (.lstat, 7, "SSH_FXP_LSTAT"), (.fstat, 8, "SSH_FXP_FSTAT"), (.setstat, 9, "SSH_FXP_SETSTAT"),
            (.fsetstat, 10, "SSH_FXP_FSETSTAT"), (.opendir, 11, "SSH_FXP_OPENDIR"), (.readdir, 12, "SSH_FXP_READDIR"),
            (.remove, 13, "SSH_FXP_REMOVE"), (.mkdir, 14, "SSH_FXP_MKDIR"), (.rmdir, 15, "SSH_FXP_RMDIR"),
            (.realpath, 16, "SSH_FXP_REALPATH"), (.stat, 17, "SSH_FXP_STAT"), (.rename, 18, "SSH_FXP_RENAME"),
            (.readlink, 19, "SSH_FXP_READLINK"), (.symlink, 20, "SSH_FXP_SYMLINK"), (.status, 101, "SSH_FXP_STATUS"),
            (.handle, 102, "SSH_FXP_HANDLE"), (.data, 103, "SSH_FXP_DATA"), (.name, 104, "SSH_FXP_NAME"),
            (.attributes, 105, "SSH_FXP_ATTRS"), (.extended, 200, "SSH_FXP_EXTENDED"),
            (.extendedReply, 201, "SSH_FXP_EXTENDED_REPLY"),
        ]
        for (type, value, name) in all {
            #expect(type.rawValue == value)
            #expect(type.description == name)
            #expect(type.isDefined)
        }
        #expect(Set(all.map(\.1)).count == 27)
        #expect(!SFTPPacketType(rawValue: 0).isDefined)
        #expect(!SFTPPacketType(rawValue: 21).isDefined)
        #expect(!SFTPPacketType(rawValue: 106).isDefined)
    }
}

import NIOCore
import SSHProtocol
import Testing

private func channelRequest(_ type: SSHMessage.ChannelRequest.RequestType, wantReply: Bool) -> SSHMessage {
    .channelRequest(.init(recipientChannel: 0, type: type, wantReply: wantReply))
}

// The type-specific data of an "x11-req" request (RFC 4254 §6.3.1), which the codec does not interpret:
// single connection FALSE, "MIT-MAGIC-COOKIE-1", cookie 01020304, screen 0.
private let x11Payload = "00  00000012 4d49542d4d414749432d434f4f4b49452d31  00000004 01020304  00000000"

/// Connection protocol messages: RFC 4254 §4–§6.
let connectionGoldens: [Golden] = [
    Golden(
        "GLOBAL_REQUEST tcpip-forward",
        .globalRequest(.init(name: "tcpip-forward", wantReply: true, payload: hex("00000007 302e302e302e30 00000016"))),
        "50  0000000d 74637069702d666f7277617264  01  00000007 302e302e302e30  00000016",
        prefixMayParse: true
    ),
    Golden(
        "GLOBAL_REQUEST keepalive",
        .globalRequest(.init(name: "keepalive@openssh.com", wantReply: false)),
        "50  00000015 6b656570616c697665406f70656e7373682e636f6d  00"
    ),
    Golden(
        "REQUEST_SUCCESS with port",
        .requestSuccess(.init(payload: hex("00001f90"))),
        "51  00001f90",
        prefixMayParse: true
    ),
    Golden("REQUEST_SUCCESS", .requestSuccess(.init()), "51"),
    Golden("REQUEST_FAILURE", .requestFailure, "52"),
    Golden(
        "CHANNEL_OPEN session",
        .channelOpen(.init(type: "session", senderChannel: 0, initialWindowSize: 0x20_0000, maximumPacketSize: 0x8000)),
        "5a  00000007 73657373696f6e  00000000  00200000  00008000"
    ),
    Golden(
        "CHANNEL_OPEN direct-tcpip",
        .channelOpen(
            .init(
                type: "direct-tcpip",
                senderChannel: 1,
                initialWindowSize: 0x10_0000,
                maximumPacketSize: 0x4000,
                payload: hex("00000009 6c6f63616c686f7374 00000016 00000008 31302e302e302e31 0000d431")
            )
        ),
        """
        5a  0000000c 6469726563742d7463706970  00000001  00100000  00004000
            00000009 6c6f63616c686f7374  00000016  00000008 31302e302e302e31  0000d431
        """,
        prefixMayParse: true
    ),
    Golden(
        "CHANNEL_OPEN_CONFIRMATION",
        .channelOpenConfirmation(
            .init(recipientChannel: 0, senderChannel: 1, initialWindowSize: 0x20_0000, maximumPacketSize: 0x8000)
        ),
        "5b  00000000  00000001  00200000  00008000"
    ),
    Golden(
        "CHANNEL_OPEN_CONFIRMATION with data",
        .channelOpenConfirmation(
            .init(
                recipientChannel: 7,
                senderChannel: 0xFFFF_FFFF,
                initialWindowSize: 0,
                maximumPacketSize: 1,
                payload: hex("deadbeef")
            )
        ),
        "5b  00000007  ffffffff  00000000  00000001  deadbeef",
        prefixMayParse: true
    ),
    Golden(
        "CHANNEL_OPEN_FAILURE",
        .channelOpenFailure(
            .init(
                recipientChannel: 3,
                reason: SSHChannelOpenFailureReason.administrativelyProhibited,
                description: "administratively prohibited"
            )
        ),
        "5c  00000003  00000001  0000001b 61646d696e6973747261746976656c792070726f68696269746564  00000000",
        prefixMayParse: true
    ),
    Golden(
        "CHANNEL_WINDOW_ADJUST",
        .channelWindowAdjust(.init(recipientChannel: 1, bytesToAdd: 0x1_0000)),
        "5d  00000001  00010000"
    ),
    Golden(
        "CHANNEL_DATA",
        .channelData(.init(recipientChannel: 1, data: hex("68656c6c6f"))),
        "5e  00000001  00000005 68656c6c6f"
    ),
    Golden(
        "CHANNEL_DATA empty",
        .channelData(.init(recipientChannel: 1, data: ByteBuffer())),
        "5e  00000001  00000000"
    ),
    Golden(
        "CHANNEL_EXTENDED_DATA",
        .channelExtendedData(.init(recipientChannel: 1, dataTypeCode: 1, data: hex("657272"))),
        "5f  00000001  00000001  00000003 657272"
    ),
    Golden("CHANNEL_EOF", .channelEOF(.init(recipientChannel: 1)), "60  00000001"),
    Golden("CHANNEL_CLOSE", .channelClose(.init(recipientChannel: 1)), "61  00000001"),
    Golden(
        "CHANNEL_REQUEST pty-req",
        channelRequest(
            .pty(.init(term: "xterm", columns: 80, rows: 24, width: 640, height: 480, modes: hex("35 00000001 00"))),
            wantReply: true
        ),
        """
        62  00000000  00000007 7074792d726571  01
            00000005 787465726d  00000050  00000018  00000280  000001e0  00000006 35 00000001 00
        """
    ),
    Golden(
        "CHANNEL_REQUEST env",
        channelRequest(.env(name: "LANG", value: "C.UTF-8"), wantReply: false),
        "62  00000000  00000003 656e76  00  00000004 4c414e47  00000007 432e5554462d38"
    ),
    Golden(
        "CHANNEL_REQUEST shell",
        channelRequest(.shell, wantReply: true),
        "62  00000000  00000005 7368656c6c  01"
    ),
    Golden(
        "CHANNEL_REQUEST exec",
        channelRequest(.exec(command: "ls -l"), wantReply: true),
        "62  00000000  00000004 65786563  01  00000005 6c73202d6c"
    ),
    Golden(
        "CHANNEL_REQUEST subsystem",
        channelRequest(.subsystem(name: "sftp"), wantReply: true),
        "62  00000000  00000009 73756273797374656d  01  00000004 73667470"
    ),
    Golden(
        "CHANNEL_REQUEST window-change",
        channelRequest(.windowChange(columns: 100, rows: 40, width: 0, height: 0), wantReply: false),
        "62  00000000  0000000d 77696e646f772d6368616e6765  00  00000064  00000028  00000000  00000000"
    ),
    Golden(
        "CHANNEL_REQUEST signal",
        channelRequest(.signal(name: "INT"), wantReply: false),
        "62  00000000  00000006 7369676e616c  00  00000003 494e54"
    ),
    Golden(
        "CHANNEL_REQUEST exit-status",
        channelRequest(.exitStatus(1), wantReply: false),
        "62  00000000  0000000b 657869742d737461747573  00  00000001"
    ),
    Golden(
        "CHANNEL_REQUEST exit-signal",
        channelRequest(.exitSignal(name: "KILL", coreDumped: true, message: "killed", language: ""), wantReply: false),
        "62  00000000  0000000b 657869742d7369676e616c  00  00000004 4b494c4c  01  00000006 6b696c6c6564  00000000"
    ),
    Golden(
        "CHANNEL_REQUEST x11-req (unknown, with data)",
        channelRequest(.other(name: "x11-req", payload: hex(x11Payload)), wantReply: true),
        "62  00000000  00000007 7831312d726571  01  \(x11Payload)",
        prefixMayParse: true
    ),
    Golden(
        "CHANNEL_REQUEST auth-agent-req (unknown, no data)",
        channelRequest(.other(name: "auth-agent-req@openssh.com", payload: ByteBuffer()), wantReply: false),
        "62  00000000  0000001a 617574682d6167656e742d726571406f70656e7373682e636f6d  00"
    ),
    Golden("CHANNEL_SUCCESS", .channelSuccess(.init(recipientChannel: 1)), "63  00000001"),
    Golden("CHANNEL_FAILURE", .channelFailure(.init(recipientChannel: 0xFFFF_FFFF)), "64  ffffffff"),
]

@Suite struct ConnectionMessagesTests {
    @Test(arguments: connectionGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    @Test func unknownRequestTypeKeepsItsDataRaw() throws {
        // The data looks like a "shell" request and a second message; none of it may be interpreted.
        let data = "00000005 7368656c6c 01  63 00000001"
        let message = try decode(hex("62  00000009  00000005 782d796f75  00  \(data)"))
        #expect(
            message
                == .channelRequest(
                    .init(recipientChannel: 9, type: .other(name: "x-you", payload: hex(data)), wantReply: false)
                )
        )
        #expect(encode(message) == hex("62  00000009  00000005 782d796f75  00  \(data)"))
    }

    @Test func requestTypeNamesMatchExactly() throws {
        // Only the exact names are interpreted; look-alikes are unknown types.
        for name in ["Shell", "shell ", "exec@example.com", "pty"] {
            var bytes = hex("62  00000000")
            bytes.writeSSHString(name)
            bytes.writeBytes([0x01, 0xAA])
            let message = try decode(bytes)
            #expect(message == channelRequest(.other(name: name, payload: hex("aa")), wantReply: true))
        }
    }

    @Test func unknownGlobalRequestAndChannelTypesKeepTheirData() throws {
        let global = try decode(hex("50  00000003 782d79  01  0102030405"))
        #expect(global == .globalRequest(.init(name: "x-y", wantReply: true, payload: hex("0102030405"))))
        let open = try decode(hex("5a  00000003 782d79  00000002  00000003  00000004  ffee"))
        #expect(
            open
                == .channelOpen(
                    .init(
                        type: "x-y",
                        senderChannel: 2,
                        initialWindowSize: 3,
                        maximumPacketSize: 4,
                        payload: hex("ffee")
                    )
                )
        )
    }

    @Test func channelDataLongerThanThePacketIsRejected() {
        let error = #expect(throws: SSHError.self) { try decode(hex("5e  00000001  00000006 010203")) }
        #expect(error?.code == .protocolError)
    }

    @Test func commandTextWithInvalidUTF8IsRepaired() throws {
        let message = try decode(hex("62  00000000  00000004 65786563  01  00000002 6cff"))
        #expect(message == channelRequest(.exec(command: "l\u{FFFD}"), wantReply: true))
    }

    @Test func subsystemNameMustBeUTF8() {
        let error = #expect(throws: SSHError.self) {
            try decode(hex("62  00000000  00000009 73756273797374656d  01  00000002 73ff"))
        }
        #expect(error?.code == .protocolError)
    }

    @Test func requestTypeNamesOnTheWire() {
        let names = connectionGoldens.compactMap { golden -> String? in
            guard case .channelRequest(let request) = golden.message else { return nil }
            return request.type.name
        }
        #expect(
            names == [
                "pty-req", "env", "shell", "exec", "subsystem", "window-change", "signal", "exit-status", "exit-signal",
                "x11-req", "auth-agent-req@openssh.com",
            ]
        )
    }
}

import NIOCore
import SSHProtocol
import Testing

/// Transport layer messages: RFC 4253 §7.1, §10, §11, RFC 8308 §2.3, RFC 5656 §4, and unknown numbers.
let transportGoldens: [Golden] = [
    Golden(
        "DISCONNECT",
        .disconnect(.init(reason: SSHDisconnectReason.protocolError, description: "bad packet", language: "en")),
        "01  00000002  0000000a 626164207061636b6574  00000002 656e"
    ),
    Golden(
        "DISCONNECT empty strings",
        .disconnect(.init(reason: SSHDisconnectReason.byApplication, description: "")),
        "01  0000000b  00000000  00000000"
    ),
    Golden("IGNORE", .ignore(.init(data: hex("616263"))), "02  00000003 616263", prefixMayParse: true),
    Golden("IGNORE empty", .ignore(.init(data: ByteBuffer())), "02  00000000", prefixMayParse: true),
    Golden("UNIMPLEMENTED", .unimplemented(.init(sequenceNumber: 0x0102_0304)), "03  01020304"),
    Golden(
        "DEBUG",
        .debug(.init(alwaysDisplay: true, message: "hi")),
        "04  01  00000002 6869  00000000",
        prefixMayParse: true
    ),
    Golden(
        "DEBUG with language",
        .debug(.init(alwaysDisplay: false, message: "hi", language: "en")),
        "04  00  00000002 6869  00000002 656e",
        prefixMayParse: true
    ),
    Golden(
        "SERVICE_REQUEST",
        .serviceRequest(.init(service: "ssh-userauth")),
        "05  0000000c 7373682d7573657261757468"
    ),
    Golden(
        "SERVICE_ACCEPT",
        .serviceAccept(.init(service: "ssh-connection")),
        "06  0000000e 7373682d636f6e6e656374696f6e"
    ),
    Golden(
        "EXT_INFO",
        .extInfo(
            .init(extensions: [
                (name: "server-sig-algs", value: hex("7373682d656432353531392c7273612d736861322d323536")),
                (name: "ping@openssh.com", value: hex("30")),
            ])
        ),
        """
        07  00000002
            0000000f 7365727665722d7369672d616c6773
            00000018 7373682d656432353531392c7273612d736861322d323536
            00000010 70696e67406f70656e7373682e636f6d
            00000001 30
        """
    ),
    Golden("EXT_INFO empty", .extInfo(.init(extensions: [])), "07  00000000"),
    Golden(
        "KEXINIT",
        .kexInit(
            .init(
                cookie: Array(0..<16),
                keyExchangeAlgorithms: ["curve25519-sha256", "ecdh-sha2-nistp256", "ext-info-c"],
                serverHostKeyAlgorithms: ["ssh-ed25519"],
                encryptionAlgorithmsClientToServer: ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com"],
                encryptionAlgorithmsServerToClient: ["aes128-ctr"],
                macAlgorithmsClientToServer: ["hmac-sha2-256"],
                macAlgorithmsServerToClient: ["hmac-sha2-256"],
                compressionAlgorithmsClientToServer: ["none"],
                compressionAlgorithmsServerToClient: ["none", "zlib@openssh.com"],
                languagesClientToServer: [],
                languagesServerToClient: ["en"],
                firstKexPacketFollows: true,
                reserved: 0
            )
        ),
        """
        14  000102030405060708090a0b0c0d0e0f
            0000002f 637572766532353531392d7368613235362c656364682d736861322d6e697374703235362c6578742d696e666f2d63
            0000000b 7373682d65643235353139
            00000034 63686163686132302d706f6c7931333035406f70656e7373682e636f6d2c6165733235362d67636d406f70656e7373682e636f6d
            0000000a 6165733132382d637472
            0000000d 686d61632d736861322d323536
            0000000d 686d61632d736861322d323536
            00000004 6e6f6e65
            00000015 6e6f6e652c7a6c6962406f70656e7373682e636f6d
            00000000
            00000002 656e
            01
            00000000
        """
    ),
    Golden(
        "KEXINIT empty lists",
        .kexInit(
            .init(
                cookie: Array(repeating: 0xFF, count: 16),
                keyExchangeAlgorithms: [],
                serverHostKeyAlgorithms: [],
                encryptionAlgorithmsClientToServer: [],
                encryptionAlgorithmsServerToClient: [],
                macAlgorithmsClientToServer: [],
                macAlgorithmsServerToClient: [],
                compressionAlgorithmsClientToServer: [],
                compressionAlgorithmsServerToClient: [],
                reserved: 0x0102_0304
            )
        ),
        """
        14  ffffffffffffffffffffffffffffffff
            00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
            00  01020304
        """
    ),
    Golden("NEWKEYS", .newKeys, "15"),
    Golden(
        "KEX_ECDH_INIT",
        .kexECDHInit(.init(clientPublicKey: Array(1...32))),
        "1e  00000020 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
    ),
    Golden(
        "KEX_ECDH_REPLY",
        .kexECDHReply(
            .init(hostKey: hex("6b6579"), serverPublicKey: [0xA1, 0xA2, 0xA3, 0xA4], signature: hex("736967"))
        ),
        "1f  00000003 6b6579  00000004 a1a2a3a4  00000003 736967"
    ),
    // Numbers the codec does not interpret are kept raw (RFC 4253 §11.4).
    Golden("unknown 0", .unknown(number: 0, payload: ByteBuffer()), "00", prefixMayParse: true),
    Golden("unknown 8", .unknown(number: 8, payload: hex("0102")), "08  0102", prefixMayParse: true),
    Golden(
        "unknown 32 (KEX_DH_GEX_INIT)",
        .unknown(number: 32, payload: hex("00000004deadbeef")),
        "20  00000004deadbeef",
        prefixMayParse: true
    ),
    Golden("unknown 101", .unknown(number: 101, payload: hex("ffff")), "65  ffff", prefixMayParse: true),
    Golden("unknown 255", .unknown(number: 255, payload: hex("00000000")), "ff  00000000", prefixMayParse: true),
]

@Suite struct TransportMessagesTests {
    @Test(arguments: transportGoldens)
    func golden(_ golden: Golden) throws {
        try checkGolden(golden)
    }

    static let knownNumbers: Set<UInt8> = [
        1, 2, 3, 4, 5, 6, 7, 20, 21, 30, 31, 50, 51, 52, 53, 80, 81, 82, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100,
    ]

    @Test func everyUnassignedNumberDecodesAsUnknown() throws {
        for number in UInt8.min...UInt8.max where !Self.knownNumbers.contains(number) && !(60...79).contains(number) {
            var bytes = ByteBuffer(bytes: [number])
            #expect(try decode(bytes) == .unknown(number: number, payload: ByteBuffer()))
            bytes.writeBytes([1, 2, 3])
            let message = try decode(bytes)
            #expect(message == .unknown(number: number, payload: hex("010203")))
            #expect(message.number == number)
            #expect(encode(message) == bytes)
        }
    }

    @Test func emptyPayloadIsAProtocolError() {
        let error = #expect(throws: SSHError.self) { try decode(ByteBuffer()) }
        #expect(error?.code == .protocolError)
    }

    @Test func ignoreWithoutDataIsTolerated() throws {
        #expect(try decode(hex("02")) == .ignore(.init(data: ByteBuffer())))
    }

    @Test func optionalLanguageTagsMayBeMissing() throws {
        #expect(try decode(hex("04  01  00000002 6869")) == .debug(.init(alwaysDisplay: true, message: "hi")))
    }

    @Test func disconnectRequiresItsLanguageTag() {
        let error = #expect(throws: SSHError.self) { try decode(hex("01  00000002  00000003 626164")) }
        #expect(error?.code == .protocolError)
    }

    @Test func humanReadableTextWithInvalidUTF8IsRepaired() throws {
        let message = try decode(hex("01  00000002  00000003 61ff62  00000000"))
        #expect(message == .disconnect(.init(reason: 2, description: "a\u{FFFD}b")))
    }

    @Test func serviceNameMustBeUTF8() {
        let error = #expect(throws: SSHError.self) { try decode(hex("05  00000002 ff41")) }
        #expect(error?.code == .protocolError)
    }

    @Test func booleansOtherThanOneAreTrue() throws {
        #expect(try decode(hex("04  7f  00000000  00000000")) == .debug(.init(alwaysDisplay: true, message: "")))
    }

    @Test(arguments: [
        "14  000102030405060708090a0b0c0d0e0f  00000002 2c2c" + String(repeating: " 00000000", count: 9)
            + " 00 00000000",
        "14  000102030405060708090a0b0c0d0e0f  00000002 2c61" + String(repeating: " 00000000", count: 9)
            + " 00 00000000",
        "14  000102030405060708090a0b0c0d0e0f  00000001 ff" + String(repeating: " 00000000", count: 9) + " 00 00000000",
    ])
    func kexInitRejectsMalformedNameLists(digits: String) {
        let error = #expect(throws: SSHError.self) { try decode(hex(digits)) }
        #expect(error?.code == .protocolError)
    }

    @Test func extInfoRejectsMissingAndExcessiveEntries() {
        // Two entries announced, one present.
        #expect(throws: SSHError.self) { try decode(hex("07  00000002  00000001 61  00000000")) }
        // More entries announced than any peer needs; rejected before looping.
        #expect(throws: SSHError.self) { try decode(hex("07  ffffffff")) }
    }

    @Test func trailingBytesAfterAFullMessageAreIgnored() throws {
        var buffer = hex("03  01020304  ffff")
        #expect(try buffer.readSSHMessage() == .unimplemented(.init(sequenceNumber: 0x0102_0304)))
        var newKeys = hex("15  00")
        #expect(try newKeys.readSSHMessage() == .newKeys)
    }

    @Test func numbersAndNames() {
        #expect(SSHMessage.newKeys.number == 21)
        #expect(SSHMessage.newKeys.name == "NEWKEYS")
        #expect(SSHMessage.unknown(number: 200, payload: ByteBuffer()).name == "MSG_200")
        for golden in allGoldens {
            #expect(golden.message.number == golden.encoding.getInteger(at: 0, as: UInt8.self), "\(golden.name)")
        }
    }
}

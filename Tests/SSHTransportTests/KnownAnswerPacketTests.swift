import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// Inbound known-answer tests: two consecutive packets per cipher, built independently with Python's `cryptography`
/// package (OpenSSL) and `hmac`/`hashlib`, following RFC 4253 §6, RFC 4344, RFC 5647, RFC 6668 and OpenSSH's
/// PROTOCOL and PROTOCOL.chacha20poly1305. Each packet's padding bytes count up from a fixed start (0xa0, 0xa1, …;
/// 0xb0 … for the next cipher) so that the packets are reproducible.
///
/// The payloads are `5e 68 65 6c 6c 6f 2c 20 66 65 72 72 79` ("^hello, ferry") and the 200 bytes 0x00…0xc7.
///
/// - aes-gcm: `AESGCM(key).encrypt(fixed || uint64(counter + i), padding_length || payload || padding,
///   aad: packet_length)`, the length prepended in clear.
/// - aes-ctr: one `Cipher(AES(key), CTR(iv))` encryptor over both whole packets; MAC =
///   `hmac.new(mac_key, uint32(seq) || packet, sha256)`; for etm the encryptor covers everything after the length and
///   MAC = `hmac.new(mac_key, uint32(seq) || packet_length || ciphertext, sha512)`.
/// - chacha20-poly1305: OpenSSL's ChaCha20 with the 16-byte IV `uint64_le(block counter) || uint64_be(seq)` (the
///   original 64-bit-nonce layout, independent of the 96-bit mapping used in the implementation); K_2 = key[0:32]
///   with counter 1 for the body and counter 0 for the Poly1305 key, K_1 = key[32:64] with counter 0 for the length;
///   tag = `Poly1305(poly_key).update(encrypted length || encrypted body)`.
struct KnownAnswerPacketTests {
    static let payloads = [
        ByteBuffer(bytes: [0x5E] + Array("hello, ferry".utf8)),
        ByteBuffer(bytes: (0..<200).map { UInt8($0) }),
    ]

    /// Opens `wire` whole and byte by byte and checks both payloads.
    func check(
        cipher: String,
        mac: String?,
        keys: SSHDirectionalKeys,
        sequenceNumbers: [UInt32],
        wire: [UInt8]
    ) throws {
        let whole = try SSHTransportAlgorithms.makeInbound(
            cipher: cipher,
            mac: mac,
            keys: keys,
            maximumPacketLength: 35000
        )
        var input = buffer(wire)
        for (payload, sequenceNumber) in zip(Self.payloads, sequenceNumbers) {
            #expect(try whole.open(&input, sequenceNumber: sequenceNumber) == payload)
        }
        #expect(input.readableBytes == 0)

        let dripped = try SSHTransportAlgorithms.makeInbound(
            cipher: cipher,
            mac: mac,
            keys: keys,
            maximumPacketLength: 35000
        )
        var partial = ByteBuffer()
        var received: [ByteBuffer] = []
        for byte in wire {
            partial.writeInteger(byte)
            if let payload = try dripped.open(&partial, sequenceNumber: sequenceNumbers[received.count]) {
                received.append(payload)
            }
        }
        #expect(received == Self.payloads)
    }

    /// aes128-gcm@openssh.com: the IV's invocation counter starts at 2^64 - 1 and wraps to 0 for the second packet.
    @Test func aes128GCM() throws {
        let keys = SSHDirectionalKeys(
            initialIV: hex("01020304ffffffffffffffff"),
            encryptionKey: hex("101112131415161718191a1b1c1d1e1f"),
            integrityKey: []
        )
        let wire = hex(
            """
            000000204d5b37f6f98cd0b8c88e6eb1105338e421101280e4c857383d5617fa7663a4693a610720a1c32d6f476d3ed0
            e4ba3862000000d010deb26839e427bb91925c5ff9f0ed95e4e6d9164b18ea761e9c2d706dc8e23a7942de776b20ffd9
            1452d0d67ca3ec88157eb9da704c88d6559b2a0f2afdeccd15b55229c73d104b26bdb7320f8f1236a0ec1794f2371a5a
            76b7acebdbca304a140d4ff746ebcc7265a8c88e26f791f738a30349431a7918619af964aec928a1213c0c2387919ff9
            73c1573a323b42d67f19f0dd6ab8d25b6eb64fe3ae7ecd5198e72d30d5634546719e9bbfc526639d964a3c357511173d
            dd7c00a9b19e32bd3f07b98ee2789a474378bfc0e172236830224c9acac97610dfb5707e762f4f53
            """
        )
        try self.check(cipher: "aes128-gcm@openssh.com", mac: nil, keys: keys, sequenceNumbers: [0, 1], wire: wire)
    }

    /// aes256-gcm@openssh.com: the invocation counter starts at 5.
    @Test func aes256GCM() throws {
        let keys = SSHDirectionalKeys(
            initialIV: hex("cafebabe0000000000000005"),
            encryptionKey: hex("404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"),
            integrityKey: []
        )
        let wire = hex(
            """
            000000200a7bc8a3e733c389ed549c4ba20780c1efffd5ba0e076b379c82639d51ede0d873208b94fe51becc08979546
            4e114173000000d07ebd8602735470820aa4c84b6669dff3bca647cb8dcceeef6c332568a48bf406dee70192d0d25c0f
            d201c803f61d53c1e7f37d50567bab1ae88062a77d8344a7c2a90cff4134b12f14592a54adbfda727bb9698038742c22
            ba73a609d2ace509bd2b2ea4057b4d4f5090df17c6673eb010f04838278d520d3605b77ff31f20996ca95e214ce24c17
            453ce8587094f0b57d0ea0586f95575db9922ef8e1af76f8410de4ea5491f5ca9f821d6469d5e41473b50252833cfab4
            08fb4f9101c62950a5e4a62925bfdcd616e1ee5d92fac06dcfb5b4e875c3db25635d1f776f328097
            """
        )
        try self.check(cipher: "aes256-gcm@openssh.com", mac: nil, keys: keys, sequenceNumbers: [0, 1], wire: wire)
    }

    /// aes128-ctr + hmac-sha2-256: the counter's low 64 bits start at 2^64 - 3 and carry into the high half inside
    /// the first packet.
    @Test func aes128CTRWithHMACSHA256() throws {
        let keys = SSHDirectionalKeys(
            initialIV: hex("0001020304050607fffffffffffffffd"),
            encryptionKey: hex("202122232425262728292a2b2c2d2e2f"),
            integrityKey: hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        )
        let wire = hex(
            """
            84142829fa274ad219a211a4f7fbf81601b265e82ffc5fa22ec7e5c161f6d67856ea7dfa01b9226b95378422c47d2e8e
            e6dbaef649f61fbb987f46b68a348ffb107f0cff7b4bb75185175cba3a06ac0c4310315365e9d03d3a8c45264e45d74e
            4a739974060c211d7d1170121d4dcce6cb64a6a36cf05560ed12d523027567d4a2ac24085e46cb8b2b551bdeff0c27e4
            efce380b8fe9243354b8958c4e22fc438f06a0ad3de120dc48b4715d3f178ae9e6b2ec570395eb033715edd4a3e77316
            adee78496ad164733202425f28671d00c83357e7cab13f8059b05a9c51fcd24ef5b25782d66ea42d08dd56da78b196b1
            4c70242608449de11b05864af27114a9b83a4fb90f729786a0fa9730ed5a77dc5d584bc5565f9c8f0cfb3861b1e16f43
            64fa513ddb32e327906501a80d398763b7bbee33957fd225dbe7ac4a6a674fad
            """
        )
        try self.check(cipher: "aes128-ctr", mac: "hmac-sha2-256", keys: keys, sequenceNumbers: [3, 4], wire: wire)
    }

    /// aes256-ctr + hmac-sha2-512-etm@openssh.com: the 128-bit counter starts at 2^128 - 2 and wraps to 0.
    @Test func aes256CTRWithHMACSHA512EtM() throws {
        let keys = SSHDirectionalKeys(
            initialIV: hex("fffffffffffffffffffffffffffffffe"),
            encryptionKey: hex("303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f"),
            integrityKey: hex(
                """
                000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f
                303132333435363738393a3b3c3d3e3f
                """
            )
        )
        let wire = hex(
            """
            00000020dce0128da18f9a5ea4589c1d6f2b2bfadfba172e1a1f36ce334a56fce6e00afd91c2f0427fff469fc9779833
            d95815b28a7b63c260bd76fcfd26c5b7a9990cfc872e73ab88e5de9803abe5172707e9622daff683179cd087dbd4eac2
            a5a398c2000000d0474f38acc9ecb7763f2ba0207b6a544f40f3e66f0c81abf9efcb7aca9d0e6ee0ae5329c7f3e69ee0
            9047959ae4dda6d8bdd8203c79c32749c722abced0a7d80f49b061244bc760fb9a9e76aebb3ee50d58aaeba1fc26afb3
            2dfe8730dac90dff632857afcdcc460abe71ff111c69779a985473ee4e3c4ae5ad6bc6dce2b79fd00dffadf6aaf4b550
            fc646803156008203d7707d727dc33bef4c580c13cf861af86641f75d980941197a95cb4ab5e30e802d9c555dea2b66d
            bd1f4b6acbd33b622281156a403d280804b8ae79c5c73501b0bb615c010fd2503afe26cc5b3d09ad455c4d4586ee0a16
            a4e1ae0515a3db43d3227c71659a9c0468dab1b32213e60735451eadc9b21c1a4ed71498e10d9396
            """
        )
        try self.check(
            cipher: "aes256-ctr",
            mac: "hmac-sha2-512-etm@openssh.com",
            keys: keys,
            sequenceNumbers: [0xFFFF_FFFE, 0xFFFF_FFFF],
            wire: wire
        )
    }

    /// chacha20-poly1305@openssh.com: sequence numbers 1 and 0x12345678.
    @Test func chacha20Poly1305() throws {
        let keys = SSHDirectionalKeys(
            initialIV: [],
            encryptionKey: hex(
                """
                606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f
                909192939495969798999a9b9c9d9e9f
                """
            ),
            integrityKey: []
        )
        let wire = hex(
            """
            bda2c5f8dd3774bdf8d7409d57e425351246d742e24933a5936d900d3bd3a1d8e3b701aed9cf5351309baa65cce38e01
            4455d5bd745fb4d64e3c9dfcd463789467140ba0a6cd8773a6a396b0275c0834cedd77aff2e78f8b17750bf0ba30a5e3
            5bc51a6ec65a12d1f1d722b7889c1f5635f69f50fbfe2af9351be598f7d6dadc84895877910c580c3c6a1cabfe160c00
            1e6bc3cb48590d81803fd74016f84920563862dfc93013f4ac9f98f57b958393699696aef9ea42a266b4a2f885785d5e
            b498f81b1809291b20b74d9cd2335a29f025679a39241a6663072ac1e316c3a8e3a81d048d8d230ebc8a1a4dafe2fb81
            e6fb88c5ea5afc11e7e7a0e709c33104d31c91117dc2c290c8241ccba195196a
            """
        )
        try self.check(
            cipher: "chacha20-poly1305@openssh.com",
            mac: nil,
            keys: keys,
            sequenceNumbers: [1, 0x1234_5678],
            wire: wire
        )
    }

}

import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// RFC 4253 §7.2 key derivation and the §8 / RFC 5656 §4 exchange hash, against values computed independently with
/// Python's `hashlib`:
///
///     mpint(K) = string(K without leading zeros, with a 0x00 prefix when the top bit is set)
///     K1 = sha(mpint(K) + H + X + session_id); Kn+1 = sha(mpint(K) + H + K1 + ... + Kn)
///
/// with K = 00 80 01 02 … 1e (a leading zero to strip and a top bit that needs the 0x00 prefix),
/// H = sha256(b"exchange hash") and session_id = sha256(b"session id").
struct KeyDerivationTests {
    static let secret = hex("00800102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e")
    static let exchangeHash = hex("7bde03b6174b06ac22d902ada587e02f46b15e82e96fcc34d951b86efe0642f8")
    static let sessionID = hex("1cc1c70c03d3fa98125ac304150c6b2ab44b1a308f55aab9e46e6de9f92ae871")

    func derive(_ method: String, _ letter: Character, _ length: Int) throws -> String {
        hexString(
            sshDeriveKey(
                method: try SSHKeyExchangeMethods.make(method),
                sharedSecret: Self.secret,
                exchangeHash: Self.exchangeHash,
                letter: UInt8(ascii: letter.unicodeScalars.first!),
                sessionID: Self.sessionID,
                length: length
            )
        )
    }

    @Test func sha256TwoRounds() throws {
        #expect(
            try self.derive("curve25519-sha256", "A", 64)
                == "2b22e8fc0084a3d8d334159c728fce028aa89b7341a8268d84eefa6b487e5eec"
                + "06f55219bbceebd3ec7638f1132f43128d7e5488f5f8fd1dfe67d9f2331dddf2"
        )
    }

    @Test func sha256Truncated() throws {
        #expect(try self.derive("ecdh-sha2-nistp256", "C", 16) == "bfbac8e92e9fa153ff41ffc9191e9a33")
        #expect(try self.derive("curve25519-sha256", "A", 20) == "2b22e8fc0084a3d8d334159c728fce028aa89b73")
    }

    @Test func sha384() throws {
        #expect(
            try self.derive("ecdh-sha2-nistp384", "E", 32)
                == "42f220e6c8d85c4c8aef8319116730c0dcd89aa2acb3e63a16c5080ad6959a32"
        )
    }

    @Test func sha512ThreeRounds() throws {
        #expect(
            try self.derive("ecdh-sha2-nistp521", "F", 100)
                == "51473a247c17db57a52d4bf3e9277bdbe3281befda73726c441af6bdedec774671bc3e75f38be75889ea7a28192bcd18"
                + "d815247d212c008853043140802f156b10408caa2b0db06d9cd81f1285a39d9dee2bf378858909e60f1c362527ca5d33"
                + "f263a6e5"
        )
    }

    @Test func zeroLength() throws {
        #expect(try self.derive("curve25519-sha256", "B", 0) == "")
    }

    /// H over V_C, V_S, I_C, I_S, K_S, Q_C, Q_S and K = ff 00 … 00 (32 bytes, encoded with a 0x00 prefix).
    @Test(arguments: [
        ("curve25519-sha256", "b20bda0987b8f1366c09b3d91ea9ab6b85e49dd6cf40946a0d825609ff39cb0c"),
        (
            "ecdh-sha2-nistp384",
            "295fc00c5db45b7d46c977a4a80731d4dd69b49a19658f7c5fdb62b4272ffedb19d57b3ed98abb2fd72d0420d48dec0a"
        ),
    ])
    func exchangeHash(_ method: String, expected: String) throws {
        let hash = sshExchangeHash(
            method: try SSHKeyExchangeMethods.make(method),
            clientVersion: "SSH-2.0-FerryClient_1.0",
            serverVersion: "SSH-2.0-OpenSSH_9.6",
            clientKexInit: buffer(hex("14000102030405060708090a0b0c0d0e0f636c69656e74206b6578696e6974")),
            serverKexInit: buffer(hex("14101112131415161718191a1b1c1d1e1f736572766572206b6578696e6974")),
            // string "ssh-ed25519" || string 00 01 … 1f
            hostKeyBlob: buffer(hex("0000000b7373682d65643235353139" + "00000020") + (0..<32).map { UInt8($0) }),
            clientPublic: (100..<132).map { UInt8($0) },
            serverPublic: (200..<232).map { UInt8($0) },
            sharedSecret: [0xFF] + [UInt8](repeating: 0, count: 31)
        )
        #expect(hexString(hash) == expected)
    }

    /// Client and server derive the same keys from one exchange, and the six letters give six different keys.
    @Test func endToEndAgreement() throws {
        let client = try SSHKeyExchangeMethods.make("curve25519-sha256")
        let server = try SSHKeyExchangeMethods.make("curve25519-sha256")
        let secretC = try client.sharedSecret(peerPublicKey: server.localPublicKey)
        let secretS = try server.sharedSecret(peerPublicKey: client.localPublicKey)
        func hash(_ method: any SSHKeyExchangeMethod, _ secret: [UInt8]) -> [UInt8] {
            sshExchangeHash(
                method: method,
                clientVersion: "SSH-2.0-a",
                serverVersion: "SSH-2.0-b",
                clientKexInit: buffer([20, 1]),
                serverKexInit: buffer([20, 2]),
                hostKeyBlob: buffer([0, 0, 0, 0]),
                clientPublic: client.localPublicKey,
                serverPublic: server.localPublicKey,
                sharedSecret: secret
            )
        }
        let h = hash(client, secretC)
        #expect(h == hash(server, secretS))
        let keys = "ABCDEF".utf8.map {
            sshDeriveKey(method: client, sharedSecret: secretC, exchangeHash: h, letter: $0, sessionID: h, length: 32)
        }
        #expect(Set(keys).count == 6)
        #expect(
            keys[0]
                == sshDeriveKey(
                    method: server,
                    sharedSecret: secretS,
                    exchangeHash: h,
                    letter: 0x41,
                    sessionID: h,
                    length: 32
                )
        )
    }
}

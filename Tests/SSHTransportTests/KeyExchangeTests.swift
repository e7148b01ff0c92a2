import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// ECDH (RFC 5656 §4) and curve25519-sha256 (RFC 8731 §3).
struct KeyExchangeTests {
    @Test(arguments: SSHKeyExchangeMethods.supported)
    func bothSidesAgree(_ name: String) throws {
        let client = try SSHKeyExchangeMethods.make(name)
        let server = try SSHKeyExchangeMethods.make(name)
        #expect(client.localPublicKey != server.localPublicKey)
        let clientSecret = try client.sharedSecret(peerPublicKey: server.localPublicKey)
        let serverSecret = try server.sharedSecret(peerPublicKey: client.localPublicKey)
        #expect(clientSecret == serverSecret)
        #expect(!clientSecret.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [
        ("curve25519-sha256", 32, 32, 32),
        ("curve25519-sha256@libssh.org", 32, 32, 32),
        ("ecdh-sha2-nistp256", 65, 32, 32),
        ("ecdh-sha2-nistp384", 97, 48, 48),
        ("ecdh-sha2-nistp521", 133, 66, 64),
    ])
    func sizes(_ name: String, publicKeyLength: Int, secretLength: Int, hashLength: Int) throws {
        let method = try SSHKeyExchangeMethods.make(name)
        let peer = try SSHKeyExchangeMethods.make(name)
        #expect(method.localPublicKey.count == publicKeyLength)
        if publicKeyLength != 32 { #expect(method.localPublicKey.first == 0x04) }
        #expect(try method.sharedSecret(peerPublicKey: peer.localPublicKey).count == secretLength)
        #expect(method.hash(ByteBuffer()).count == hashLength)
    }

    @Test func unknownMethod() {
        expectSSHError(.unsupportedAlgorithm) { _ = try SSHKeyExchangeMethods.make("diffie-hellman-group1-sha1") }
    }

    /// RFC 7748 §6.1, also checked with Python's `cryptography` X25519.
    @Test func x25519RFC7748Vector() throws {
        let alice = try Curve25519KeyExchange(
            privateKey: hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        )
        let bob = try Curve25519KeyExchange(
            privateKey: hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        )
        #expect(hexString(alice.localPublicKey) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(hexString(bob.localPublicKey) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(hexString(try alice.sharedSecret(peerPublicKey: bob.localPublicKey)) == shared)
        #expect(hexString(try bob.sharedSecret(peerPublicKey: alice.localPublicKey)) == shared)
    }

    /// RFC 8731 §3: wrong lengths and low-order points (all-zero output) are rejected.
    @Test(arguments: [
        [UInt8](repeating: 0, count: 31),
        [UInt8](repeating: 9, count: 33),
        [],
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    ])
    func curve25519RejectsBadPeerKeys(_ peer: [UInt8]) throws {
        let method = try SSHKeyExchangeMethods.make("curve25519-sha256")
        expectSSHError(.keyExchangeFailed) { _ = try method.sharedSecret(peerPublicKey: peer) }
    }

    @Test(arguments: ["ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"])
    func nistRejectsBadPeerKeys(_ name: String) throws {
        let method = try SSHKeyExchangeMethods.make(name)
        let good = try SSHKeyExchangeMethods.make(name).localPublicKey
        var offCurve = good
        offCurve[offCurve.count - 1] ^= 1
        var compressed = Array(good[0..<(1 + (good.count - 1) / 2)])
        compressed[0] = 0x02 | (good.last! & 1)
        var wrongPrefix = good
        wrongPrefix[0] = 0x05
        for peer in [offCurve, compressed, wrongPrefix, Array(good.dropLast()), good + [0], [], [0x04]] {
            expectSSHError(.keyExchangeFailed) { _ = try method.sharedSecret(peerPublicKey: peer) }
        }
        let otherCurve = try SSHKeyExchangeMethods.make(
            name == "ecdh-sha2-nistp256" ? "ecdh-sha2-nistp384" : "ecdh-sha2-nistp256"
        )
        expectSSHError(.keyExchangeFailed) { _ = try method.sharedSecret(peerPublicKey: otherCurve.localPublicKey) }
    }
}

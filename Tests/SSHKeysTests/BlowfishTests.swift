import Foundation
import Testing

@testable import SSHKeys

@Suite struct BlowfishTests {
    /// Eric Young's published Blowfish test vectors (key, plaintext, ciphertext), a selection.
    static let vectors: [(key: String, plain: String, cipher: String)] = [
        ("0000000000000000", "0000000000000000", "4ef997456198dd78"),
        ("ffffffffffffffff", "ffffffffffffffff", "51866fd5b85ecb8a"),
        ("3000000000000000", "1000000000000001", "7d856f9a613063f2"),
        ("1111111111111111", "1111111111111111", "2466dd878b963c9d"),
        ("0123456789abcdef", "1111111111111111", "61f9c3802281b096"),
        ("1111111111111111", "0123456789abcdef", "7d0cc630afda1ec7"),
        ("fedcba9876543210", "0123456789abcdef", "0aceab0fc6a0a28d"),
        ("7ca110454a1a6e57", "01a1d6d039776742", "59c68245eb05282b"),
        ("0131d9619dc1376e", "5cd54ca83def57da", "b1b8cc0b250f09a0"),
        ("07a1133e4a0b2686", "0248d43806f67172", "1730e5778bea1da4"),
        ("3849674c2602319e", "51454b582ddf440a", "a25e7856cf2651eb"),
        ("04b915ba43feb5b6", "42fd443059577fa2", "353882b109ce8f1a"),
    ]

    @Test func initialStateIsPi() {
        #expect(Blowfish.initialP.first == 0x243F_6A88)
        #expect(Blowfish.initialP.last == 0x8979_FB1B)
        #expect(Blowfish.initialS0.first == 0xD131_0BA6)
        #expect(Blowfish.initialS3.last == 0x3AC3_72E6)
        #expect(Blowfish.initialS0.count == 256 && Blowfish.initialS3.count == 256)
    }

    @Test(arguments: 0..<12)
    func ericYoungVector(_ index: Int) {
        let vector = Self.vectors[index]
        let cipher = Blowfish(key: hex(vector.key))
        let plain = hex(vector.plain)
        var left = UInt32(plain[0]) << 24 | UInt32(plain[1]) << 16 | UInt32(plain[2]) << 8 | UInt32(plain[3])
        var right = UInt32(plain[4]) << 24 | UInt32(plain[5]) << 16 | UInt32(plain[6]) << 8 | UInt32(plain[7])
        cipher.encrypt(&left, &right)
        #expect(String(format: "%08x%08x", left, right) == vector.cipher)
    }
}

import Crypto
import SSHProtocol

/// `bcrypt_pbkdf`, the key derivation function of OpenSSH private key files (kdfname "bcrypt").
///
/// It is PBKDF2 with the pseudo-random function replaced by `bcrypt_hash` (Blowfish keyed through the
/// expensive key schedule with SHA-512 digests of the password and salt, then encrypting the string
/// "OxychromaticBlowfishSwatDynamite" 64 times), and with the output blocks interleaved across the key
/// so that every byte of a long key depends on the last round.
enum BCryptPBKDF {
    /// The length of one `bcrypt_hash` output.
    private static let hashLength = 32

    /// The largest key the function produces (32 blocks of 32 bytes).
    static let maximumKeyLength = 1024

    /// Derives `keyLength` bytes from a password and salt.
    ///
    /// - Parameters:
    ///   - password: any bytes, possibly empty.
    ///   - salt: 1 to 2^20 bytes.
    ///   - rounds: the cost: the number of `bcrypt_hash` iterations per output block, at least 1.
    ///   - keyLength: 1 to ``maximumKeyLength`` bytes.
    static func deriveKey(password: [UInt8], salt: [UInt8], rounds: Int, keyLength: Int) throws -> [UInt8] {
        guard rounds >= 1, (1...maximumKeyLength).contains(keyLength), (1...(1 << 20)).contains(salt.count) else {
            throw SSHError(.invalidKeyFile, "bcrypt_pbkdf parameters out of range")
        }
        let stride = (keyLength + hashLength - 1) / hashLength
        let blockBytes = (keyLength + stride - 1) / stride
        var key = [UInt8](repeating: 0, count: keyLength)
        let passwordDigest = Array(SHA512.hash(data: password))
        let hasher = Hasher(passwordDigest: passwordDigest)

        var remaining = keyLength
        var counter: UInt32 = 1
        while remaining > 0 {
            var saltedCounter = salt
            saltedCounter.append(contentsOf: [
                UInt8(truncatingIfNeeded: counter >> 24), UInt8(truncatingIfNeeded: counter >> 16),
                UInt8(truncatingIfNeeded: counter >> 8), UInt8(truncatingIfNeeded: counter),
            ])
            var block = hasher.hash(saltDigest: Array(SHA512.hash(data: saltedCounter)))
            var output = block
            for _ in 1..<rounds {
                block = hasher.hash(saltDigest: Array(SHA512.hash(data: block)))
                for index in 0..<hashLength {
                    output[index] ^= block[index]
                }
            }
            // Spread this block's bytes across the key: byte i goes to position i * stride + (counter - 1).
            var written = 0
            while written < min(blockBytes, remaining) {
                let destination = written * stride + Int(counter - 1)
                if destination >= keyLength { break }
                key[destination] = output[written]
                written += 1
            }
            remaining -= written
            counter += 1
        }
        return key
    }

    /// `bcrypt_hash` for one password digest, reusing one Blowfish state across calls.
    private final class Hasher {
        /// "OxychromaticBlowfishSwatDynamite" as eight big-endian words.
        private static let magic: [UInt32] = Blowfish.cyclicWords(
            Array("OxychromaticBlowfishSwatDynamite".utf8),
            count: 8
        )

        private let cipher = Blowfish()
        private let passwordWords: [UInt32]

        init(passwordDigest: [UInt8]) {
            self.passwordWords = Blowfish.cyclicWords(passwordDigest, count: 18)
        }

        /// Hashes the 64-byte SHA-512 digest of the salt into 32 bytes.
        func hash(saltDigest: [UInt8]) -> [UInt8] {
            let saltWords = Blowfish.cyclicWords(saltDigest, count: 18)
            self.cipher.reset()
            self.passwordWords.withUnsafeBufferPointer { password in
                saltWords.withUnsafeBufferPointer { salt in
                    let password = password.baseAddress!
                    let salt = salt.baseAddress!
                    self.cipher.expand(key: password, salt: salt)
                    for _ in 0..<64 {
                        self.cipher.expand(key: salt)
                        self.cipher.expand(key: password)
                    }
                }
            }
            var words = Self.magic
            for pair in 0..<4 {
                var left = words[2 * pair]
                var right = words[2 * pair + 1]
                for _ in 0..<64 {
                    self.cipher.encrypt(&left, &right)
                }
                words[2 * pair] = left
                words[2 * pair + 1] = right
            }
            // bcrypt_pbkdf emits each word little-endian.
            var output = [UInt8](repeating: 0, count: 32)
            for (index, word) in words.enumerated() {
                output[4 * index] = UInt8(truncatingIfNeeded: word)
                output[4 * index + 1] = UInt8(truncatingIfNeeded: word >> 8)
                output[4 * index + 2] = UInt8(truncatingIfNeeded: word >> 16)
                output[4 * index + 3] = UInt8(truncatingIfNeeded: word >> 24)
            }
            return output
        }
    }
}

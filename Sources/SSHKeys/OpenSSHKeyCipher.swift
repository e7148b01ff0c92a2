import Crypto
import Foundation
import SSHProtocol
import _CryptoExtras

/// A cipher that can protect the private section of an `openssh-key-v1` file.
///
/// The key and IV come from `bcrypt_pbkdf`, key first. AES-GCM (OpenSSH's `aes*-gcm@openssh.com`) uses a
/// 12-byte nonce, no additional data, and appends its 16-byte tag after the encrypted section's string.
struct OpenSSHKeyCipher {
    enum Mode {
        case none
        case ctr
        case cbc
        case gcm
    }

    let name: String
    let mode: Mode
    let keyLength: Int
    let ivLength: Int
    /// The private section is padded to a multiple of this.
    let blockSize: Int
    /// The length of the authentication tag that follows the encrypted section (AEAD only).
    let tagLength: Int

    static let none = OpenSSHKeyCipher(name: "none", mode: .none, keyLength: 0, ivLength: 0, blockSize: 8, tagLength: 0)
    static let aes256CTR = OpenSSHKeyCipher(
        name: "aes256-ctr",
        mode: .ctr,
        keyLength: 32,
        ivLength: 16,
        blockSize: 16,
        tagLength: 0
    )

    static let supported: [OpenSSHKeyCipher] = [
        .none,
        OpenSSHKeyCipher(name: "aes128-ctr", mode: .ctr, keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0),
        OpenSSHKeyCipher(name: "aes192-ctr", mode: .ctr, keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0),
        .aes256CTR,
        OpenSSHKeyCipher(name: "aes128-cbc", mode: .cbc, keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0),
        OpenSSHKeyCipher(name: "aes192-cbc", mode: .cbc, keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0),
        OpenSSHKeyCipher(name: "aes256-cbc", mode: .cbc, keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0),
        OpenSSHKeyCipher(
            name: "aes128-gcm@openssh.com",
            mode: .gcm,
            keyLength: 16,
            ivLength: 12,
            blockSize: 16,
            tagLength: 16
        ),
        OpenSSHKeyCipher(
            name: "aes256-gcm@openssh.com",
            mode: .gcm,
            keyLength: 32,
            ivLength: 12,
            blockSize: 16,
            tagLength: 16
        ),
    ]

    /// The cipher called `name` in a key file, if supported.
    static func named(_ name: String) -> OpenSSHKeyCipher? {
        self.supported.first { $0.name == name }
    }

    /// Decrypts the private section.
    ///
    /// - Parameter keyMaterial: `keyLength + ivLength` bytes from the KDF.
    /// - Throws: `SSHError(.wrongPassphrase)` when an AEAD tag does not verify.
    func decrypt(_ ciphertext: [UInt8], tag: [UInt8], keyMaterial: [UInt8]) throws -> [UInt8] {
        let key = SymmetricKey(data: keyMaterial[0..<self.keyLength])
        let iv = keyMaterial[self.keyLength..<(self.keyLength + self.ivLength)]
        switch self.mode {
        case .none:
            return ciphertext
        case .ctr:
            return Array(try AES._CTR.decrypt(ciphertext, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv)))
        case .cbc:
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true))
        case .gcm:
            do {
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag)
                return Array(try AES.GCM.open(box, using: key))
            } catch {
                throw SSHError(
                    .wrongPassphrase,
                    "incorrect passphrase: the key file's authentication tag does not match"
                )
            }
        }
    }

    /// Encrypts the private section (already padded to ``blockSize``), returning ciphertext and tag.
    func encrypt(_ plaintext: [UInt8], keyMaterial: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let key = SymmetricKey(data: keyMaterial[0..<self.keyLength])
        let iv = keyMaterial[self.keyLength..<(self.keyLength + self.ivLength)]
        switch self.mode {
        case .none:
            return (plaintext, [])
        case .ctr:
            return (Array(try AES._CTR.encrypt(plaintext, using: key, nonce: AES._CTR.Nonce(nonceBytes: iv))), [])
        case .cbc:
            return (
                Array(try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv), noPadding: true)), []
            )
        case .gcm:
            let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(data: iv))
            return (Array(box.ciphertext), Array(box.tag))
        }
    }
}

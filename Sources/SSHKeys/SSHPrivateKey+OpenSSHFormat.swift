import Crypto
import Foundation
import NIOCore
import SSHProtocol
import _CryptoExtras

// OpenSSH's own private key format, "openssh-key-v1" (OpenSSH's PROTOCOL.key):
//
//     byte[]  "openssh-key-v1\0"
//     string  ciphername
//     string  kdfname
//     string  kdfoptions          (bcrypt: string salt, uint32 rounds)
//     uint32  number of keys N    (always 1 in practice)
//     string  public key blob
//     string  encrypted private section
//     byte[]  authentication tag  (AEAD ciphers only)
//
// The private section is: uint32 checkint, uint32 checkint (equal; a mismatch after decryption means
// the passphrase was wrong), the private key fields, string comment, then padding bytes 1, 2, 3, ...
// up to a multiple of the cipher block size (8 when unencrypted).

extension SSHPrivateKey {
    static let openSSHLabel = "OPENSSH PRIVATE KEY"
    private static let openSSHMagic = Array("openssh-key-v1\0".utf8)

    /// Parses the decoded body of an "OPENSSH PRIVATE KEY" block.
    static func parseOpenSSH(_ body: [UInt8], passphrase: [UInt8]?) throws -> SSHPrivateKey {
        guard body.starts(with: Self.openSSHMagic) else {
            throw SSHError(.invalidKeyFile, "not an openssh-key-v1 private key")
        }
        let header = try OpenSSHKeyHeader(body[Self.openSSHMagic.count...])
        var plaintext: [UInt8]
        if header.cipher.mode == .none {
            guard header.kdfName == "none", header.kdfOptions.readableBytes == 0 else {
                throw SSHError(.invalidKeyFile, "an unencrypted key must use kdf \"none\"")
            }
            plaintext = header.encrypted
        } else {
            guard header.kdfName == "bcrypt" else {
                throw SSHError(.unsupportedAlgorithm, "unsupported key derivation \"\(header.kdfName.prefix(64))\"")
            }
            var options = header.kdfOptions
            guard let salt = options.readSSHStringBytes(), let rounds = options.readInteger(as: UInt32.self),
                options.readableBytes == 0, !salt.isEmpty, rounds > 0
            else {
                throw SSHError(.invalidKeyFile, "malformed bcrypt parameters")
            }
            guard let passphrase, !passphrase.isEmpty else {
                throw SSHError(.wrongPassphrase, "the private key is encrypted and no passphrase was given")
            }
            var material = try BCryptPBKDF.deriveKey(
                password: passphrase,
                salt: salt,
                rounds: Int(rounds),
                keyLength: header.cipher.keyLength + header.cipher.ivLength
            )
            defer { Self.wipe(&material) }
            plaintext = try header.cipher.decrypt(header.encrypted, tag: header.tag, keyMaterial: material)
        }
        defer { Self.wipe(&plaintext) }

        var section = ByteBuffer(bytes: plaintext)
        defer { Self.wipe(&section) }
        guard let check1 = section.readInteger(as: UInt32.self), let check2 = section.readInteger(as: UInt32.self)
        else {
            throw SSHError(.invalidKeyFile, "truncated private key section")
        }
        guard ConstantTime.equals(check1, check2) else {
            if header.cipher.mode == .none {
                throw SSHError(.invalidKeyFile, "the private key's check values differ; the file is corrupt")
            }
            throw SSHError(.wrongPassphrase, "incorrect passphrase (the decrypted check values differ)")
        }
        var key = try Self.readOpenSSHPrivateKey(from: &section)
        guard let commentBytes = section.readSSHStringBytes() else {
            throw SSHError(.invalidKeyFile, "truncated private key section")
        }
        var expectedPad: UInt8 = 1
        while let pad = section.readInteger(as: UInt8.self) {
            guard pad == expectedPad else {
                throw SSHError(.invalidKeyFile, "bad padding after the private key")
            }
            expectedPad &+= 1
        }
        guard key.publicKey == header.publicKey else {
            throw SSHError(.invalidKeyFile, "the private key does not match the public key stored with it")
        }
        key.comment = commentBytes.isEmpty ? nil : String(decoding: commentBytes, as: UTF8.self)
        return key
    }

    /// Whether an "OPENSSH PRIVATE KEY" body names a cipher other than "none".
    static func isEncryptedOpenSSH(_ body: [UInt8]) -> Bool {
        guard body.starts(with: Self.openSSHMagic) else { return false }
        var buffer = ByteBuffer(bytes: body[Self.openSSHMagic.count...])
        return buffer.readSSHText().map { $0 != "none" } ?? false
    }

    /// Encodes the key in OpenSSH's "openssh-key-v1" format, PEM-armored as ssh-keygen writes it.
    ///
    /// - Parameters:
    ///   - comment: stored with the key (ssh-keygen uses "user@host").
    ///   - passphrase: `nil` or empty for an unencrypted file; otherwise the key is encrypted with
    ///     aes256-ctr under a key from bcrypt_pbkdf with a random 16-byte salt.
    ///   - rounds: the bcrypt_pbkdf cost (ssh-keygen's `-a`), 1 or more; OpenSSH's default is 16.
    public func openSSHFileContents(comment: String, passphrase: [UInt8]?, rounds: Int = 16) throws -> String {
        let encrypting = !(passphrase?.isEmpty ?? true)
        let cipher = encrypting ? OpenSSHKeyCipher.aes256CTR : OpenSSHKeyCipher.none
        var kdfOptions = ByteBuffer()
        var material: [UInt8] = []
        defer { Self.wipe(&material) }
        if encrypting, let passphrase {
            guard rounds >= 1, rounds <= Int(UInt32.max) else {
                throw SSHError(.unsupportedAlgorithm, "bcrypt rounds must be at least 1")
            }
            var generator = SystemRandomNumberGenerator()
            let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            kdfOptions.writeSSHString(salt)
            kdfOptions.writeInteger(UInt32(rounds))
            material = try BCryptPBKDF.deriveKey(
                password: passphrase,
                salt: salt,
                rounds: rounds,
                keyLength: cipher.keyLength + cipher.ivLength
            )
        }

        var section = ByteBuffer()
        defer { Self.wipe(&section) }
        let check = UInt32.random(in: .min ... .max)
        section.writeInteger(check)
        section.writeInteger(check)
        try self.writeOpenSSHPrivateKey(to: &section)
        section.writeSSHString(comment)
        var pad: UInt8 = 1
        while section.readableBytes % cipher.blockSize != 0 {
            section.writeInteger(pad)
            pad += 1
        }
        var plaintext = Array(section.readableBytesView)
        defer { Self.wipe(&plaintext) }
        let (ciphertext, tag) = try cipher.encrypt(plaintext, keyMaterial: material)

        var body = ByteBuffer()
        body.writeBytes(Self.openSSHMagic)
        body.writeSSHString(cipher.name)
        body.writeSSHString(encrypting ? "bcrypt" : "none")
        body.writeSSHString(kdfOptions)
        body.writeInteger(UInt32(1))
        body.writeSSHString(self.publicKey.wireBlob)
        body.writeSSHString(ciphertext)
        body.writeBytes(tag)
        return PEMBlock(label: Self.openSSHLabel, body: Array(body.readableBytesView)).armored(lineLength: 70)
    }

    /// Reads the private key fields OpenSSH's formats use (the key file's private section and the
    /// ssh-agent protocol): `string type` and then, per type,
    /// Ed25519 `string public, string seed||public`; ECDSA `string curve, string point, mpint scalar`;
    /// RSA `mpint n, mpint e, mpint d, mpint iqmp, mpint p, mpint q`.
    static func readOpenSSHPrivateKey(from buffer: inout ByteBuffer) throws -> SSHPrivateKey {
        let malformed = SSHError(.invalidKeyFile, "malformed private key fields")
        guard let name = buffer.readSSHText() else { throw malformed }
        guard let type = SSHKeyType(rawValue: name) else {
            throw SSHError(.unsupportedAlgorithm, "unsupported private key type \"\(name.prefix(64))\"")
        }
        do {
            switch type {
            case .ed25519:
                guard let publicBytes = buffer.readSSHStringBytes(), publicBytes.count == 32,
                    var secret = buffer.readSSHStringBytes(), secret.count == 64
                else { throw malformed }
                defer { Self.wipe(&secret) }
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: secret[0..<32])
                guard key.publicKey.rawRepresentation == Data(publicBytes), secret[32...].elementsEqual(publicBytes)
                else {
                    throw SSHError(.invalidKeyFile, "the Ed25519 private key does not match its public key")
                }
                return SSHPrivateKey(key)
            case .ecdsaP256, .ecdsaP384, .ecdsaP521:
                guard buffer.readSSHText() == type.ecdsaCurveName, let point = buffer.readSSHStringBytes(),
                    var scalar = buffer.readSSHUnsignedMPInt(), scalar.count <= type.ecdsaScalarLength
                else { throw malformed }
                defer { Self.wipe(&scalar) }
                var raw = [UInt8](repeating: 0, count: type.ecdsaScalarLength - scalar.count) + scalar
                defer { Self.wipe(&raw) }
                let key: SSHPrivateKey
                switch type {
                case .ecdsaP256: key = SSHPrivateKey(try P256.Signing.PrivateKey(rawRepresentation: raw))
                case .ecdsaP384: key = SSHPrivateKey(try P384.Signing.PrivateKey(rawRepresentation: raw))
                default: key = SSHPrivateKey(try P521.Signing.PrivateKey(rawRepresentation: raw))
                }
                var expected = ByteBuffer()
                expected.writeSSHString(type.rawValue)
                expected.writeSSHString(type.ecdsaCurveName!)
                expected.writeSSHString(point)
                guard key.publicKey.wireBlob == expected else {
                    throw SSHError(.invalidKeyFile, "the ECDSA private key does not match its public key")
                }
                return key
            case .rsa:
                guard let n = buffer.readSSHUnsignedMPInt(), let e = buffer.readSSHUnsignedMPInt(),
                    let d = buffer.readSSHUnsignedMPInt(), let iqmp = buffer.readSSHUnsignedMPInt(),
                    let p = buffer.readSSHUnsignedMPInt(), let q = buffer.readSSHUnsignedMPInt()
                else { throw malformed }
                var components = RSAPrivateComponents(
                    modulus: n,
                    publicExponent: e,
                    privateExponent: d,
                    prime1: p,
                    prime2: q,
                    coefficient: iqmp
                )
                defer { components.wipeSecrets() }
                let expected = try SSHPublicKey(rsaModulus: n, exponent: e)
                let key = try SSHPrivateKey(RSAKeyEncoding.privateKey(components))
                guard key.publicKey == expected else {
                    throw SSHError(.invalidKeyFile, "the RSA private key does not match its public key")
                }
                return key
            }
        } catch let error as SSHError {
            throw error
        } catch {
            throw SSHError(.invalidKeyFile, "the \(name) private key was rejected by the crypto library")
        }
    }

    /// Writes the private key fields in the layout ``readOpenSSHPrivateKey(from:)`` reads.
    func writeOpenSSHPrivateKey(to buffer: inout ByteBuffer) throws {
        buffer.writeSSHString(self.type.rawValue)
        switch self.backing {
        case .ed25519(let key):
            let publicBytes = key.publicKey.rawRepresentation
            buffer.writeSSHString(publicBytes)
            var secret = Array(key.rawRepresentation) + Array(publicBytes)
            defer { Self.wipe(&secret) }
            buffer.writeSSHString(secret)
        case .p256(let key):
            Self.writeECDSA(
                curve: self.type,
                point: key.publicKey.x963Representation,
                scalar: key.rawRepresentation,
                to: &buffer
            )
        case .p384(let key):
            Self.writeECDSA(
                curve: self.type,
                point: key.publicKey.x963Representation,
                scalar: key.rawRepresentation,
                to: &buffer
            )
        case .p521(let key):
            Self.writeECDSA(
                curve: self.type,
                point: key.publicKey.x963Representation,
                scalar: key.rawRepresentation,
                to: &buffer
            )
        case .rsa(let key):
            var components = try RSAKeyEncoding.components(of: key)
            defer { components.wipeSecrets() }
            buffer.writeSSHUnsignedMPInt(components.modulus)
            buffer.writeSSHUnsignedMPInt(components.publicExponent)
            buffer.writeSSHUnsignedMPInt(components.privateExponent)
            buffer.writeSSHUnsignedMPInt(components.coefficient)
            buffer.writeSSHUnsignedMPInt(components.prime1)
            buffer.writeSSHUnsignedMPInt(components.prime2)
        }
    }

    private static func writeECDSA(curve: SSHKeyType, point: Data, scalar: Data, to buffer: inout ByteBuffer) {
        buffer.writeSSHString(curve.ecdsaCurveName!)
        buffer.writeSSHString(point)
        var raw = Array(scalar)
        defer { Self.wipe(&raw) }
        buffer.writeSSHUnsignedMPInt(raw)
    }

    /// Overwrites secret bytes with zeros.
    static func wipe(_ bytes: inout [UInt8]) {
        _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }

    /// Overwrites the readable bytes of a buffer holding secrets with zeros.
    static func wipe(_ buffer: inout ByteBuffer) {
        buffer.moveReaderIndex(to: 0)
        _ = buffer.withUnsafeMutableReadableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }
}

extension RSAPrivateComponents {
    /// Overwrites the private numbers with zeros.
    mutating func wipeSecrets() {
        SSHPrivateKey.wipe(&self.privateExponent)
        SSHPrivateKey.wipe(&self.prime1)
        SSHPrivateKey.wipe(&self.prime2)
        SSHPrivateKey.wipe(&self.coefficient)
    }
}

/// The unencrypted header of an "openssh-key-v1" file.
private struct OpenSSHKeyHeader {
    var cipher: OpenSSHKeyCipher
    var kdfName: String
    var kdfOptions: ByteBuffer
    var publicKey: SSHPublicKey
    var encrypted: [UInt8]
    var tag: [UInt8]

    init(_ bytes: ArraySlice<UInt8>) throws {
        var buffer = ByteBuffer(bytes: bytes)
        let truncated = SSHError(.invalidKeyFile, "truncated openssh-key-v1 header")
        guard let cipherName = buffer.readSSHText(), let kdfName = buffer.readSSHText(),
            let kdfOptions = buffer.readSSHString(), let count = buffer.readInteger(as: UInt32.self)
        else { throw truncated }
        guard count == 1 else {
            throw SSHError(.invalidKeyFile, "key files holding \(count) keys are not supported")
        }
        guard let publicBlob = buffer.readSSHString(), let encrypted = buffer.readSSHStringBytes() else {
            throw truncated
        }
        guard let cipher = OpenSSHKeyCipher.named(cipherName) else {
            throw SSHError(.unsupportedAlgorithm, "unsupported key file cipher \"\(cipherName.prefix(64))\"")
        }
        guard let tag = buffer.readBytes(length: cipher.tagLength), buffer.readableBytes == 0 else {
            throw SSHError(.invalidKeyFile, "unexpected data after the private key section")
        }
        guard !encrypted.isEmpty, encrypted.count % cipher.blockSize == 0 else {
            throw SSHError(.invalidKeyFile, "the private key section is not a whole number of cipher blocks")
        }
        self.cipher = cipher
        self.kdfName = kdfName
        self.kdfOptions = kdfOptions
        self.publicKey = try SSHPublicKey(wireBlob: publicBlob)
        self.encrypted = encrypted
        self.tag = tag
    }
}

import Crypto
import Foundation
import SSHProtocol
import _CryptoExtras

// The PEM private key formats of OpenSSL (and of `ssh-keygen -m PEM` / `-m PKCS8`):
//
// - "RSA PRIVATE KEY": PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2)
// - "EC PRIVATE KEY": SEC1 ECPrivateKey (RFC 5915)
// - "PRIVATE KEY": PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958), holding an RSA, EC or Ed25519 (RFC 8410) key
// - "ENCRYPTED PRIVATE KEY": PKCS#8 EncryptedPrivateKeyInfo with PBES2 (PBKDF2 + AES-CBC, RFC 8018)
//
// The first two may carry OpenSSL's legacy encryption headers ("Proc-Type: 4,ENCRYPTED" and
// "DEK-Info: AES-128-CBC,<iv>"), where the key is MD5-based EVP_BytesToKey of the passphrase and the
// first 8 IV bytes.

extension SSHPrivateKey {
    /// Parses a PEM private key block other than "OPENSSH PRIVATE KEY".
    static func parsePEM(_ block: PEMBlock, passphrase: [UInt8]?) throws -> SSHPrivateKey {
        switch block.label {
        case "RSA PRIVATE KEY":
            return try Self.withLegacyDecryption(block, passphrase: passphrase) { try Self.fromPKCS1($0) }
        case "EC PRIVATE KEY":
            return try Self.withLegacyDecryption(block, passphrase: passphrase) { try Self.fromSEC1($0, curve: nil) }
        case "PRIVATE KEY":
            return try Self.fromPKCS8(block.body)
        case "ENCRYPTED PRIVATE KEY":
            var der = try Self.decryptPKCS8(block.body, passphrase: passphrase)
            defer { Self.wipe(&der) }
            do {
                return try Self.fromPKCS8(der)
            } catch let error as SSHError where error.code == .invalidKeyFile {
                throw SSHError(.wrongPassphrase, "incorrect passphrase (the decrypted key is not valid)")
            }
        default:
            throw SSHError(.unsupportedAlgorithm, "unsupported key file type \"\(block.label.prefix(64))\"")
        }
    }

    /// Whether a PEM block other than "OPENSSH PRIVATE KEY" is passphrase-protected.
    static func isEncryptedPEM(_ block: PEMBlock) -> Bool {
        block.label == "ENCRYPTED PRIVATE KEY" || (block.headers["Proc-Type"]?.contains("ENCRYPTED") ?? false)
    }

    private static func fromPKCS1(_ der: [UInt8]) throws -> SSHPrivateKey {
        // Parse first so that malformed input reports as a file error, not a crypto library failure.
        var components = try RSAKeyEncoding.components(pkcs1DER: der)
        components.wipeSecrets()
        do {
            return try SSHPrivateKey(_RSA.Signing.PrivateKey(unsafeDERRepresentation: der))
        } catch let error as SSHError {
            throw error
        } catch {
            throw SSHError(.invalidKeyFile, "the RSA private key was rejected by the crypto library")
        }
    }

    /// Parses a SEC1 ECPrivateKey; `curve` comes from the PKCS#8 wrapper when there is one.
    private static func fromSEC1(_ der: [UInt8], curve: SSHKeyType?) throws -> SSHPrivateKey {
        var outer = DER.Reader(der)
        var reader = try outer.readConstructed()
        guard try reader.readSmallInteger() == 1 else {
            throw SSHError(.invalidKeyFile, "unsupported ECPrivateKey version")
        }
        var scalar = try reader.readOctetString()
        defer { Self.wipe(&scalar) }
        var type = curve
        if var parameters = try reader.readOptionalContext(0) {
            let oid = try parameters.readObjectIdentifier()
            guard let named = KnownOID.keyType(ofCurve: oid), curve == nil || curve == named else {
                throw SSHError(.unsupportedAlgorithm, "unsupported or mismatched elliptic curve")
            }
            type = named
        }
        var publicPoint: [UInt8]?
        if var publicKey = try reader.readOptionalContext(1) {
            publicPoint = try publicKey.readBitString()
        }
        guard let type else {
            throw SSHError(.invalidKeyFile, "EC private key without a named curve")
        }
        guard scalar.count <= type.ecdsaScalarLength else {
            throw SSHError(.invalidKeyFile, "EC private key scalar is too long")
        }
        var raw = [UInt8](repeating: 0, count: type.ecdsaScalarLength - scalar.count) + scalar
        defer { Self.wipe(&raw) }
        let key: SSHPrivateKey
        let point: Data
        do {
            switch type {
            case .ecdsaP256:
                let crypto = try P256.Signing.PrivateKey(rawRepresentation: raw)
                (key, point) = (SSHPrivateKey(crypto), crypto.publicKey.x963Representation)
            case .ecdsaP384:
                let crypto = try P384.Signing.PrivateKey(rawRepresentation: raw)
                (key, point) = (SSHPrivateKey(crypto), crypto.publicKey.x963Representation)
            default:
                let crypto = try P521.Signing.PrivateKey(rawRepresentation: raw)
                (key, point) = (SSHPrivateKey(crypto), crypto.publicKey.x963Representation)
            }
        } catch {
            throw SSHError(.invalidKeyFile, "the EC private key was rejected by the crypto library")
        }
        if let publicPoint, Data(publicPoint) != point {
            throw SSHError(.invalidKeyFile, "the EC private key does not match its public key")
        }
        return key
    }

    private static func fromPKCS8(_ der: [UInt8]) throws -> SSHPrivateKey {
        var outer = DER.Reader(der)
        var reader = try outer.readConstructed()
        try outer.expectEnd()
        guard try reader.readSmallInteger() <= 1 else {
            throw SSHError(.invalidKeyFile, "unsupported PKCS#8 version")
        }
        var algorithm = try reader.readConstructed()
        let oid = try algorithm.readObjectIdentifier()
        var inner = try reader.readOctetString()
        defer { Self.wipe(&inner) }
        // Attributes and the optional public key may follow; they are not needed.
        switch oid {
        case KnownOID.rsaEncryption:
            return try Self.fromPKCS1(inner)
        case KnownOID.ecPublicKey:
            guard let curve = KnownOID.keyType(ofCurve: try algorithm.readObjectIdentifier()) else {
                throw SSHError(.unsupportedAlgorithm, "unsupported elliptic curve")
            }
            return try Self.fromSEC1(inner, curve: curve)
        case KnownOID.ed25519:
            var seedReader = DER.Reader(inner)
            var seed = try seedReader.readOctetString()
            defer { Self.wipe(&seed) }
            try seedReader.expectEnd()
            guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
                throw SSHError(.invalidKeyFile, "malformed Ed25519 private key")
            }
            return SSHPrivateKey(key)
        default:
            throw SSHError(.unsupportedAlgorithm, "unsupported PKCS#8 key algorithm")
        }
    }

    /// Runs `parse` on the DER body, decrypting it first when it carries OpenSSL's legacy headers.
    private static func withLegacyDecryption(
        _ block: PEMBlock,
        passphrase: [UInt8]?,
        parse: ([UInt8]) throws -> SSHPrivateKey
    ) throws -> SSHPrivateKey {
        guard Self.isEncryptedPEM(block) else { return try parse(block.body) }
        guard let info = block.headers["DEK-Info"] else {
            throw SSHError(.invalidKeyFile, "encrypted PEM key without a DEK-Info header")
        }
        let parts = info.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let keyLengths = ["AES-128-CBC": 16, "AES-192-CBC": 24, "AES-256-CBC": 32]
        guard parts.count == 2, let keyLength = keyLengths[parts[0].uppercased()] else {
            throw SSHError(.unsupportedAlgorithm, "unsupported PEM encryption \"\(parts.first?.prefix(32) ?? "")\"")
        }
        guard let iv = Self.hexBytes(parts[1]), iv.count == 16 else {
            throw SSHError(.invalidKeyFile, "malformed DEK-Info IV")
        }
        guard let passphrase, !passphrase.isEmpty else {
            throw SSHError(.wrongPassphrase, "the private key is encrypted and no passphrase was given")
        }
        // EVP_BytesToKey with MD5 and one iteration: D_i = MD5(D_{i-1} || passphrase || salt).
        var material: [UInt8] = []
        var previous: [UInt8] = []
        while material.count < keyLength {
            previous = Array(Insecure.MD5.hash(data: previous + passphrase + iv[0..<8]))
            material += previous
        }
        defer {
            Self.wipe(&material)
            Self.wipe(&previous)
        }
        var der: [UInt8]
        do {
            der = Array(
                try AES._CBC.decrypt(
                    block.body,
                    using: SymmetricKey(data: material[0..<keyLength]),
                    iv: AES._CBC.IV(ivBytes: iv)
                )
            )
        } catch {
            throw SSHError(.wrongPassphrase, "incorrect passphrase (the decrypted key has bad padding)")
        }
        defer { Self.wipe(&der) }
        do {
            return try parse(der)
        } catch let error as SSHError where error.code == .invalidKeyFile {
            throw SSHError(.wrongPassphrase, "incorrect passphrase (the decrypted key is not valid)")
        }
    }

    /// Decrypts a PKCS#8 EncryptedPrivateKeyInfo protected with PBES2 (PBKDF2 and AES-CBC).
    private static func decryptPKCS8(_ der: [UInt8], passphrase: [UInt8]?) throws -> [UInt8] {
        var outer = DER.Reader(der)
        var info = try outer.readConstructed()
        var algorithm = try info.readConstructed()
        guard try algorithm.readObjectIdentifier() == KnownOID.pbes2 else {
            throw SSHError(.unsupportedAlgorithm, "unsupported PKCS#8 encryption (only PBES2 is supported)")
        }
        var parameters = try algorithm.readConstructed()
        var kdf = try parameters.readConstructed()
        guard try kdf.readObjectIdentifier() == KnownOID.pbkdf2 else {
            throw SSHError(.unsupportedAlgorithm, "unsupported PBES2 key derivation (only PBKDF2 is supported)")
        }
        var kdfParameters = try kdf.readConstructed()
        let salt = try kdfParameters.readOctetString()
        let iterations = try kdfParameters.readSmallInteger()
        var explicitKeyLength: Int?
        if kdfParameters.nextTag == DER.integerTag {
            explicitKeyLength = try kdfParameters.readSmallInteger()
        }
        var hash = KDF.Insecure.PBKDF2.HashFunction.insecureSHA1
        if !kdfParameters.isAtEnd {
            var prf = try kdfParameters.readConstructed()
            switch try prf.readObjectIdentifier() {
            case KnownOID.hmacWithSHA1: hash = .insecureSHA1
            case KnownOID.hmacWithSHA256: hash = .sha256
            case KnownOID.hmacWithSHA384: hash = .sha384
            case KnownOID.hmacWithSHA512: hash = .sha512
            default: throw SSHError(.unsupportedAlgorithm, "unsupported PBKDF2 hash function")
            }
        }
        var scheme = try parameters.readConstructed()
        let keyLength: Int
        switch try scheme.readObjectIdentifier() {
        case KnownOID.aes128CBC: keyLength = 16
        case KnownOID.aes192CBC: keyLength = 24
        case KnownOID.aes256CBC: keyLength = 32
        default: throw SSHError(.unsupportedAlgorithm, "unsupported PBES2 cipher (only AES-CBC is supported)")
        }
        let iv = try scheme.readOctetString()
        let ciphertext = try info.readOctetString()
        guard iv.count == 16, iterations >= 1, iterations <= 10_000_000, explicitKeyLength ?? keyLength == keyLength
        else {
            throw SSHError(.invalidKeyFile, "malformed PBES2 parameters")
        }
        guard let passphrase, !passphrase.isEmpty else {
            throw SSHError(.wrongPassphrase, "the private key is encrypted and no passphrase was given")
        }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: passphrase,
                salt: salt,
                using: hash,
                outputByteCount: keyLength,
                unsafeUncheckedRounds: iterations
            )
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw SSHError(.wrongPassphrase, "incorrect passphrase (the decrypted key has bad padding)")
        }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}

import Crypto
import NIOCore
import _CryptoExtras

/// The RSA signature algorithms of RFC 8332 and RFC 4253, with their hash functions.
enum RSASignatureAlgorithm: String, CaseIterable {
    case sha512 = "rsa-sha2-512"
    case sha256 = "rsa-sha2-256"
    case sha1 = "ssh-rsa"
}

extension SSHPublicKey {
    /// The signature algorithms this key can verify, strongest first: the key type itself, except for RSA
    /// which has "rsa-sha2-512", "rsa-sha2-256" (RFC 8332) and "ssh-rsa" (SHA-1).
    ///
    /// Whether SHA-1 signatures are acceptable is a policy for the caller to enforce.
    public var signatureAlgorithms: [String] {
        switch self.type {
        case .rsa: RSASignatureAlgorithm.allCases.map(\.rawValue)
        case .ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521: [self.type.rawValue]
        }
    }

    /// Whether `signature` is a valid signature by this key over the readable bytes of `data`.
    ///
    /// The signature's algorithm must be one of ``signatureAlgorithms``. ECDSA uses SHA-256, SHA-384 or
    /// SHA-512 according to the curve (RFC 5656 §6.2.1); RSA uses PKCS#1 v1.5 with the hash its algorithm
    /// names (RFC 8332 §3). An RSA signature shorter than the modulus is accepted after left-padding with
    /// zeros, as OpenSSH does; a longer one is rejected.
    public func isValidSignature(_ signature: SSHSignature, for data: ByteBuffer) -> Bool {
        guard self.signatureAlgorithms.contains(signature.algorithm) else { return false }
        return data.withUnsafeReadableBytes { message in
            switch self.backing {
            case .ed25519(let key):
                return signature.blob.count == 64 && key.isValidSignature(signature.blob, for: message)
            case .p256(let key):
                guard let raw = self.ecdsaRaw(signature),
                    let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
                else { return false }
                return key.isValidSignature(parsed, for: message)
            case .p384(let key):
                guard let raw = self.ecdsaRaw(signature),
                    let parsed = try? P384.Signing.ECDSASignature(rawRepresentation: raw)
                else { return false }
                return key.isValidSignature(parsed, for: message)
            case .p521(let key):
                guard let raw = self.ecdsaRaw(signature),
                    let parsed = try? P521.Signing.ECDSASignature(rawRepresentation: raw)
                else { return false }
                return key.isValidSignature(parsed, for: message)
            case .rsa(let key):
                let length = (self.bits + 7) / 8
                guard let algorithm = RSASignatureAlgorithm(rawValue: signature.algorithm),
                    !signature.blob.isEmpty, signature.blob.count <= length
                else { return false }
                let padded = [UInt8](repeating: 0, count: length - signature.blob.count) + signature.blob
                let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: padded)
                switch algorithm {
                case .sha512:
                    return key.isValidSignature(
                        rsaSignature,
                        for: SHA512.hash(data: message),
                        padding: .insecurePKCS1v1_5
                    )
                case .sha256:
                    return key.isValidSignature(
                        rsaSignature,
                        for: SHA256.hash(data: message),
                        padding: .insecurePKCS1v1_5
                    )
                case .sha1:
                    return key.isValidSignature(
                        rsaSignature,
                        for: Insecure.SHA1.hash(data: message),
                        padding: .insecurePKCS1v1_5
                    )
                }
            }
        }
    }

    private func ecdsaRaw(_ signature: SSHSignature) -> [UInt8]? {
        SSHSignature.ecdsaRawRepresentation(blob: signature.blob, scalarLength: self.type.ecdsaScalarLength)
    }
}

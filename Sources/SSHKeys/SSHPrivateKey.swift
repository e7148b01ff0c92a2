import Crypto
import Foundation
import NIOCore
import SSHProtocol
import _CryptoExtras

/// A private key that can sign for SSH: host keys on the server side, user keys on the client side.
///
/// Load one from a file with ``init(fileContents:passphrase:)``, create one with ``generate(_:rsaBits:)``,
/// and save it with ``openSSHFileContents(comment:passphrase:rounds:)``.
public struct SSHPrivateKey: Sendable {
    enum Backing: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    let backing: Backing

    /// The matching public key.
    public let publicKey: SSHPublicKey

    /// The comment stored with the key in its file, if any (OpenSSH keys usually carry "user@host").
    public var comment: String?

    init(backing: Backing, publicKey: SSHPublicKey, comment: String? = nil) {
        self.backing = backing
        self.publicKey = publicKey
        self.comment = comment
    }

    /// A key from an Ed25519 private key.
    public init(_ key: Curve25519.Signing.PrivateKey) {
        self.init(backing: .ed25519(key), publicKey: SSHPublicKey(key.publicKey))
    }

    /// A key from a P-256 private key.
    public init(_ key: P256.Signing.PrivateKey) {
        self.init(backing: .p256(key), publicKey: SSHPublicKey(key.publicKey))
    }

    /// A key from a P-384 private key.
    public init(_ key: P384.Signing.PrivateKey) {
        self.init(backing: .p384(key), publicKey: SSHPublicKey(key.publicKey))
    }

    /// A key from a P-521 private key.
    public init(_ key: P521.Signing.PrivateKey) {
        self.init(backing: .p521(key), publicKey: SSHPublicKey(key.publicKey))
    }

    /// A key from an RSA private key.
    ///
    /// - Throws: `SSHError(.invalidKey)` when the modulus is outside 1024–16384 bits.
    public init(_ key: _RSA.Signing.PrivateKey) throws {
        self.init(backing: .rsa(key), publicKey: try SSHPublicKey(key.publicKey))
    }

    /// The key's algorithm.
    public var type: SSHKeyType { self.publicKey.type }

    /// Generates a new random key.
    ///
    /// - Parameters:
    ///   - type: the algorithm.
    ///   - rsaBits: the RSA modulus size, a multiple of 8 from 2048 to 16384; ignored for other types.
    /// - Throws: `SSHError(.unsupportedAlgorithm)` for an RSA size out of range.
    public static func generate(_ type: SSHKeyType, rsaBits: Int = 3072) throws -> SSHPrivateKey {
        switch type {
        case .ed25519:
            return SSHPrivateKey(Curve25519.Signing.PrivateKey())
        case .ecdsaP256:
            return SSHPrivateKey(P256.Signing.PrivateKey())
        case .ecdsaP384:
            return SSHPrivateKey(P384.Signing.PrivateKey())
        case .ecdsaP521:
            return SSHPrivateKey(P521.Signing.PrivateKey())
        case .rsa:
            guard (2048...SSHPublicKey.maximumRSABits).contains(rsaBits), rsaBits % 8 == 0 else {
                throw SSHError(
                    .unsupportedAlgorithm,
                    "RSA keys must be 2048 to \(SSHPublicKey.maximumRSABits) bits, in multiples of 8"
                )
            }
            return try SSHPrivateKey(_RSA.Signing.PrivateKey(keySize: .init(bitCount: rsaBits)))
        }
    }

    /// Signs the readable bytes of `data`.
    ///
    /// - Parameter algorithm: one of the public key's ``SSHPublicKey/signatureAlgorithms``; for RSA this
    ///   chooses the hash: "rsa-sha2-512", "rsa-sha2-256" or "ssh-rsa" (SHA-1).
    /// - Throws: `SSHError(.unsupportedAlgorithm)` when the algorithm does not fit the key.
    public func signature(for data: ByteBuffer, algorithm: String) throws -> SSHSignature {
        guard self.publicKey.signatureAlgorithms.contains(algorithm) else {
            throw SSHError(
                .unsupportedAlgorithm,
                "a \(self.type.rawValue) key cannot make \"\(algorithm.prefix(64))\" signatures"
            )
        }
        do {
            return try data.withUnsafeReadableBytes { message in
                switch self.backing {
                case .ed25519(let key):
                    return SSHSignature(algorithm: algorithm, blob: Array(try key.signature(for: message)))
                case .p256(let key):
                    let raw = try key.signature(for: message).rawRepresentation
                    return SSHSignature(
                        algorithm: algorithm,
                        blob: SSHSignature.ecdsaBlob(rawRepresentation: Array(raw))
                    )
                case .p384(let key):
                    let raw = try key.signature(for: message).rawRepresentation
                    return SSHSignature(
                        algorithm: algorithm,
                        blob: SSHSignature.ecdsaBlob(rawRepresentation: Array(raw))
                    )
                case .p521(let key):
                    let raw = try key.signature(for: message).rawRepresentation
                    return SSHSignature(
                        algorithm: algorithm,
                        blob: SSHSignature.ecdsaBlob(rawRepresentation: Array(raw))
                    )
                case .rsa(let key):
                    let signature: _RSA.Signing.RSASignature
                    switch RSASignatureAlgorithm(rawValue: algorithm)! {
                    case .sha512:
                        signature = try key.signature(for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
                    case .sha256:
                        signature = try key.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
                    case .sha1:
                        signature = try key.signature(
                            for: Insecure.SHA1.hash(data: message),
                            padding: .insecurePKCS1v1_5
                        )
                    }
                    return SSHSignature(algorithm: algorithm, blob: Array(signature.rawRepresentation))
                }
            }
        } catch let error as SSHError {
            throw error
        } catch {
            throw SSHError(.invalidKey, "signing with the \(self.type.rawValue) key failed")
        }
    }
}

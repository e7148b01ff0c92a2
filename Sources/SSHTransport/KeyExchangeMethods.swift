import Crypto
import NIOCore
import SSHProtocol

/// One side of an elliptic-curve Diffie-Hellman key exchange with a fresh ephemeral key: ecdh-sha2-nistp256/384/521
/// (RFC 5656 §4) and curve25519-sha256 (RFC 8731 §3).
public protocol SSHKeyExchangeMethod {
    /// Our ephemeral public key as sent on the wire (Q_C or Q_S): 32 bytes for curve25519; the uncompressed SEC1
    /// point (SEC1 §2.3.3, RFC 5656 §4) for ecdh-sha2-nistp*.
    var localPublicKey: [UInt8] { get }

    /// The shared secret K as the big-endian magnitude to be encoded as mpint.
    ///
    /// For ecdh-sha2-nistp* this is the x-coordinate of the shared point (RFC 5656 §4); for curve25519 the 32-byte
    /// X25519 output interpreted as a big-endian number (RFC 8731 §3.1).
    ///
    /// - Throws: `SSHError(.keyExchangeFailed)` for an invalid peer key (wrong length, not on the curve, or an
    ///   all-zero X25519 output, RFC 8731 §3).
    func sharedSecret(peerPublicKey: [UInt8]) throws -> [UInt8]

    /// The method's hash: SHA-256 for curve25519 and nistp256, SHA-384 for nistp384, SHA-512 for nistp521
    /// (RFC 5656 §6.2.1, RFC 8731 §3).
    func hash(_ data: ByteBuffer) -> [UInt8]
}

/// The key exchange methods Ferry negotiates and a factory for them.
public enum SSHKeyExchangeMethods {
    /// Method names in order of preference (RFC 8731 §3, RFC 5656 §6.3).
    public static let supported: [String] = [
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
    ]

    /// Creates `name` with a fresh ephemeral key.
    ///
    /// - Throws: `SSHError(.unsupportedAlgorithm)` for an unknown name.
    public static func make(_ name: String) throws -> any SSHKeyExchangeMethod {
        switch name {
        case "curve25519-sha256", "curve25519-sha256@libssh.org": return Curve25519KeyExchange()
        case "ecdh-sha2-nistp256": return NISTP256KeyExchange()
        case "ecdh-sha2-nistp384": return NISTP384KeyExchange()
        case "ecdh-sha2-nistp521": return NISTP521KeyExchange()
        default: throw SSHError(.unsupportedAlgorithm, "unsupported key exchange method \(name)")
        }
    }
}

extension SharedSecret {
    fileprivate var bytes: [UInt8] { self.withUnsafeBytes { Array($0) } }
}

private func digest<H: HashFunction>(_ data: ByteBuffer, using _: H.Type) -> [UInt8] {
    data.withUnsafeReadableBytes { Array(H.hash(data: $0)) }
}

/// curve25519-sha256 (RFC 8731 §3), also known as curve25519-sha256@libssh.org.
struct Curve25519KeyExchange: SSHKeyExchangeMethod {
    private let privateKey: Curve25519.KeyAgreement.PrivateKey

    init() {
        self.privateKey = Curve25519.KeyAgreement.PrivateKey()
    }

    /// Uses a given private scalar (for known-answer tests).
    init(privateKey: [UInt8]) throws {
        self.privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey)
    }

    var localPublicKey: [UInt8] { Array(self.privateKey.publicKey.rawRepresentation) }

    func sharedSecret(peerPublicKey: [UInt8]) throws -> [UInt8] {
        // RFC 8731 §3: public keys of the wrong length and an all-zero shared secret MUST be rejected.
        guard peerPublicKey.count == 32,
            let peer = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: peerPublicKey),
            let secret = try? self.privateKey.sharedSecretFromKeyAgreement(with: peer).bytes
        else {
            throw SSHError(.keyExchangeFailed, "invalid curve25519 public key")
        }
        guard secret.reduce(0, { $0 | $1 }) != 0 else {
            throw SSHError(.keyExchangeFailed, "curve25519 shared secret is zero")
        }
        return secret
    }

    func hash(_ data: ByteBuffer) -> [UInt8] { digest(data, using: SHA256.self) }
}

/// Checks that a NIST curve point is uncompressed (`0x04 || x || y`), the only form RFC 5656 §4 implementations use
/// without point-compression negotiation.
private func checkUncompressedPoint(_ point: [UInt8], coordinateLength: Int) throws {
    guard point.count == 1 + 2 * coordinateLength, point.first == 0x04 else {
        throw SSHError(.keyExchangeFailed, "ECDH public key is not an uncompressed point")
    }
}

/// ecdh-sha2-nistp256 (RFC 5656 §4, §6.2.1).
struct NISTP256KeyExchange: SSHKeyExchangeMethod {
    private let privateKey = P256.KeyAgreement.PrivateKey()

    var localPublicKey: [UInt8] { Array(self.privateKey.publicKey.x963Representation) }

    func sharedSecret(peerPublicKey: [UInt8]) throws -> [UInt8] {
        try checkUncompressedPoint(peerPublicKey, coordinateLength: 32)
        guard let peer = try? P256.KeyAgreement.PublicKey(x963Representation: peerPublicKey),
            let secret = try? self.privateKey.sharedSecretFromKeyAgreement(with: peer)
        else { throw SSHError(.keyExchangeFailed, "invalid nistp256 public key") }
        return secret.bytes
    }

    func hash(_ data: ByteBuffer) -> [UInt8] { digest(data, using: SHA256.self) }
}

/// ecdh-sha2-nistp384 (RFC 5656 §4, §6.2.1).
struct NISTP384KeyExchange: SSHKeyExchangeMethod {
    private let privateKey = P384.KeyAgreement.PrivateKey()

    var localPublicKey: [UInt8] { Array(self.privateKey.publicKey.x963Representation) }

    func sharedSecret(peerPublicKey: [UInt8]) throws -> [UInt8] {
        try checkUncompressedPoint(peerPublicKey, coordinateLength: 48)
        guard let peer = try? P384.KeyAgreement.PublicKey(x963Representation: peerPublicKey),
            let secret = try? self.privateKey.sharedSecretFromKeyAgreement(with: peer)
        else { throw SSHError(.keyExchangeFailed, "invalid nistp384 public key") }
        return secret.bytes
    }

    func hash(_ data: ByteBuffer) -> [UInt8] { digest(data, using: SHA384.self) }
}

/// ecdh-sha2-nistp521 (RFC 5656 §4, §6.2.1).
struct NISTP521KeyExchange: SSHKeyExchangeMethod {
    private let privateKey = P521.KeyAgreement.PrivateKey()

    var localPublicKey: [UInt8] { Array(self.privateKey.publicKey.x963Representation) }

    func sharedSecret(peerPublicKey: [UInt8]) throws -> [UInt8] {
        try checkUncompressedPoint(peerPublicKey, coordinateLength: 66)
        guard let peer = try? P521.KeyAgreement.PublicKey(x963Representation: peerPublicKey),
            let secret = try? self.privateKey.sharedSecretFromKeyAgreement(with: peer)
        else { throw SSHError(.keyExchangeFailed, "invalid nistp521 public key") }
        return secret.bytes
    }

    func hash(_ data: ByteBuffer) -> [UInt8] { digest(data, using: SHA512.self) }
}

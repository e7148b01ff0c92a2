import Crypto
import Foundation
import NIOCore
import SSHProtocol
import _CryptoExtras

/// A public key in SSH's wire format: RFC 4253 §6.6 (`ssh-rsa`), RFC 5656 §3.1 (`ecdsa-sha2-*`) and
/// RFC 8709 §4 (`ssh-ed25519`).
///
/// Two keys are equal, and hash alike, exactly when their wire blobs are byte-for-byte equal. Parsing only
/// accepts canonical blobs (minimal mpints, uncompressed points, no trailing bytes), so equal keys have
/// equal blobs.
public struct SSHPublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The smallest RSA modulus accepted, in bits (OpenSSH's limit).
    public static let minimumRSABits = 1024
    /// The largest RSA modulus accepted, in bits.
    public static let maximumRSABits = 16384

    enum Backing: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey)
    }

    /// The key as the crypto library holds it.
    let backing: Backing
    /// The canonical wire blob.
    let blob: [UInt8]

    /// The key's algorithm.
    public let type: SSHKeyType

    /// The key size in bits: 256 for Ed25519, the curve size for ECDSA, the modulus size for RSA.
    public let bits: Int

    /// Parses a public key blob (the contents of the `string` that carries it, not the string itself).
    ///
    /// - Throws: `SSHError(.invalidKey)` when the blob is truncated, has trailing bytes, holds an invalid
    ///   point or field, or an RSA modulus outside 1024–16384 bits; `SSHError(.unsupportedAlgorithm)` for
    ///   a well-formed blob of a key type Ferry does not support (such as `ssh-dss` or certificates).
    public init(wireBlob: ByteBuffer) throws {
        var buffer = wireBlob
        guard let name = buffer.readSSHText() else {
            throw SSHError(.invalidKey, "truncated public key blob")
        }
        guard let type = SSHKeyType(rawValue: name) else {
            throw SSHError(.unsupportedAlgorithm, "unsupported public key type \"\(name.prefix(64))\"")
        }
        switch type {
        case .ed25519:
            guard let raw = buffer.readSSHStringBytes(), raw.count == 32,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else {
                throw SSHError(.invalidKey, "malformed ssh-ed25519 public key")
            }
            self.backing = .ed25519(key)
            self.bits = 256
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard let curve = buffer.readSSHText(), curve == type.ecdsaCurveName else {
                throw SSHError(.invalidKey, "\(name) public key with a missing or mismatched curve name")
            }
            guard let point = buffer.readSSHStringBytes(),
                point.count == 1 + 2 * type.ecdsaScalarLength, point.first == 0x04
            else {
                throw SSHError(.invalidKey, "\(name) public key without an uncompressed point of the right size")
            }
            do {
                switch type {
                case .ecdsaP256:
                    self.backing = .p256(try P256.Signing.PublicKey(x963Representation: point))
                    self.bits = 256
                case .ecdsaP384:
                    self.backing = .p384(try P384.Signing.PublicKey(x963Representation: point))
                    self.bits = 384
                default:
                    self.backing = .p521(try P521.Signing.PublicKey(x963Representation: point))
                    self.bits = 521
                }
            } catch {
                throw SSHError(.invalidKey, "\(name) public key point is not on the curve")
            }
        case .rsa:
            guard let exponent = buffer.readSSHUnsignedMPInt(), let modulus = buffer.readSSHUnsignedMPInt() else {
                throw SSHError(.invalidKey, "malformed ssh-rsa public key")
            }
            let modulusBits = Self.bitLength(modulus)
            guard modulusBits >= Self.minimumRSABits, modulusBits <= Self.maximumRSABits else {
                throw SSHError(
                    .invalidKey,
                    "RSA modulus of \(modulusBits) bits is outside \(Self.minimumRSABits)–\(Self.maximumRSABits)"
                )
            }
            guard let last = exponent.last, last & 1 == 1, exponent.count > 1 || last >= 3, modulus.last! & 1 == 1
            else {
                throw SSHError(.invalidKey, "RSA public exponent or modulus is not a valid odd number")
            }
            do {
                self.backing = .rsa(try RSAKeyEncoding.publicKey(modulus: modulus, exponent: exponent))
            } catch {
                throw SSHError(.invalidKey, "RSA public key rejected by the crypto library")
            }
            self.bits = modulusBits
        }
        guard buffer.readableBytes == 0 else {
            throw SSHError(.invalidKey, "trailing bytes after the \(name) public key")
        }
        self.type = type
        self.blob = Array(wireBlob.readableBytesView)
    }

    /// Writes the blob contents (not wrapped in an outer `string`).
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeBytes(self.blob)
    }

    /// The blob contents, as ``write(to:)`` produces them.
    public var wireBlob: ByteBuffer {
        ByteBuffer(bytes: self.blob)
    }

    /// The SHA-256 fingerprint as `ssh-keygen -l` prints it: "SHA256:" and unpadded base64.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: self.blob))
        return "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    /// The legacy MD5 fingerprint as `ssh-keygen -l -E md5` prints it: "MD5:" and colon-separated hex.
    public var md5Fingerprint: String {
        "MD5:" + Insecure.MD5.hash(data: self.blob).map { String(format: "%02x", $0) }.joined(separator: ":")
    }

    /// The type, size and fingerprint, such as "ssh-ed25519 256 SHA256:…".
    public var description: String {
        "\(self.type.rawValue) \(self.bits) \(self.fingerprint)"
    }

    /// Whether two keys have the same wire blob.
    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool {
        lhs.blob == rhs.blob
    }

    /// Hashes the wire blob.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.blob)
    }

    /// The number of significant bits in a big-endian magnitude.
    static func bitLength(_ magnitude: [UInt8]) -> Int {
        guard let index = magnitude.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (magnitude.count - index) * 8 - magnitude[index].leadingZeroBitCount
    }
}

extension SSHPublicKey {
    /// A key from an Ed25519 public key.
    public init(_ key: Curve25519.Signing.PublicKey) {
        // Canonical by construction, so parsing cannot fail.
        try! self.init(wireBlob: Self.blob(type: .ed25519) { $0.writeSSHString(key.rawRepresentation) })
    }

    /// A key from a P-256 public key.
    public init(_ key: P256.Signing.PublicKey) {
        try! self.init(wireBlob: Self.ecdsaBlob(.ecdsaP256, point: key.x963Representation))
    }

    /// A key from a P-384 public key.
    public init(_ key: P384.Signing.PublicKey) {
        try! self.init(wireBlob: Self.ecdsaBlob(.ecdsaP384, point: key.x963Representation))
    }

    /// A key from a P-521 public key.
    public init(_ key: P521.Signing.PublicKey) {
        try! self.init(wireBlob: Self.ecdsaBlob(.ecdsaP521, point: key.x963Representation))
    }

    /// A key from an RSA public key.
    ///
    /// - Throws: `SSHError(.invalidKey)` when the modulus is outside 1024–16384 bits.
    public init(_ key: _RSA.Signing.PublicKey) throws {
        let primitives = try key.getKeyPrimitives()
        try self.init(rsaModulus: Array(primitives.modulus), exponent: Array(primitives.publicExponent))
    }

    /// A key from an RSA modulus and public exponent (big-endian magnitudes).
    init(rsaModulus modulus: [UInt8], exponent: [UInt8]) throws {
        try self.init(
            wireBlob: Self.blob(type: .rsa) {
                $0.writeSSHUnsignedMPInt(exponent)
                $0.writeSSHUnsignedMPInt(modulus)
            }
        )
    }

    private static func ecdsaBlob(_ type: SSHKeyType, point: Data) -> ByteBuffer {
        self.blob(type: type) {
            $0.writeSSHString(type.ecdsaCurveName!)
            $0.writeSSHString(point)
        }
    }

    private static func blob(type: SSHKeyType, _ body: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeSSHString(type.rawValue)
        body(&buffer)
        return buffer
    }
}

import Crypto
import Foundation
import SSHProtocol
import _CryptoExtras

/// The numbers of an RSA private key, as big-endian magnitudes.
struct RSAPrivateComponents {
    var modulus: [UInt8]
    var publicExponent: [UInt8]
    var privateExponent: [UInt8]
    var prime1: [UInt8]
    var prime2: [UInt8]
    /// `prime2⁻¹ mod prime1`, which OpenSSH calls `iqmp` and PKCS#1 calls the coefficient.
    var coefficient: [UInt8]
}

/// Converts RSA keys between their numbers and the crypto library, through PKCS#1 and SPKI DER.
///
/// The DER route is used because it accepts 1024-bit keys, which OpenSSH still allows.
enum RSAKeyEncoding {
    /// A public key from its modulus and exponent.
    static func publicKey(modulus: [UInt8], exponent: [UInt8]) throws -> _RSA.Signing.PublicKey {
        // SubjectPublicKeyInfo { AlgorithmIdentifier { rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }
        let rsaPublicKey = DER.sequence([DER.integer(modulus), DER.integer(exponent)])
        let spki = DER.sequence([
            DER.sequence([DER.element(DER.objectIdentifierTag, KnownOID.rsaEncryption), DER.element(DER.nullTag, [])]),
            DER.element(DER.bitStringTag, [0] + rsaPublicKey),
        ])
        return try _RSA.Signing.PublicKey(unsafeDERRepresentation: spki)
    }

    /// A private key from its numbers; the crypto library checks that they are consistent.
    static func privateKey(_ components: RSAPrivateComponents) throws -> _RSA.Signing.PrivateKey {
        var der = self.pkcs1DER(components)
        defer { SSHPrivateKey.wipe(&der) }
        return try _RSA.Signing.PrivateKey(unsafeDERRepresentation: der)
    }

    /// The PKCS#1 `RSAPrivateKey` DER encoding (RFC 8017 §A.1.2), deriving the CRT exponents.
    static func pkcs1DER(_ components: RSAPrivateComponents) -> [UInt8] {
        let exponent1 = BigUInt.remainder(
            components.privateExponent,
            modulo: BigUInt.subtractingOne(components.prime1)
        )
        let exponent2 = BigUInt.remainder(
            components.privateExponent,
            modulo: BigUInt.subtractingOne(components.prime2)
        )
        return DER.sequence([
            DER.integer([0]),
            DER.integer(components.modulus),
            DER.integer(components.publicExponent),
            DER.integer(components.privateExponent),
            DER.integer(components.prime1),
            DER.integer(components.prime2),
            DER.integer(exponent1),
            DER.integer(exponent2),
            DER.integer(components.coefficient),
        ])
    }

    /// Parses a PKCS#1 `RSAPrivateKey` (two-prime, version 0).
    static func components(pkcs1DER der: [UInt8]) throws -> RSAPrivateComponents {
        var outer = DER.Reader(der)
        var reader = try outer.readConstructed()
        try outer.expectEnd()
        guard try reader.readSmallInteger() == 0 else {
            throw SSHError(.unsupportedAlgorithm, "multi-prime RSA keys are not supported")
        }
        let modulus = try reader.readUnsignedInteger()
        let publicExponent = try reader.readUnsignedInteger()
        let privateExponent = try reader.readUnsignedInteger()
        let prime1 = try reader.readUnsignedInteger()
        let prime2 = try reader.readUnsignedInteger()
        _ = try reader.readUnsignedInteger()
        _ = try reader.readUnsignedInteger()
        let coefficient = try reader.readUnsignedInteger()
        try reader.expectEnd()
        return RSAPrivateComponents(
            modulus: modulus,
            publicExponent: publicExponent,
            privateExponent: privateExponent,
            prime1: prime1,
            prime2: prime2,
            coefficient: coefficient
        )
    }

    /// The numbers of a private key held by the crypto library.
    static func components(of key: _RSA.Signing.PrivateKey) throws -> RSAPrivateComponents {
        var der = Array(key.derRepresentation)
        defer { SSHPrivateKey.wipe(&der) }
        return try self.components(pkcs1DER: der)
    }
}

/// Just enough unsigned big-number arithmetic to derive RSA CRT exponents, in constant time with respect
/// to the values (the loops depend only on the lengths).
enum BigUInt {
    /// `value mod modulus` for big-endian magnitudes; `modulus` must be non-zero.
    static func remainder(_ value: [UInt8], modulo modulus: [UInt8]) -> [UInt8] {
        let m = self.limbs(modulus)
        var r = [UInt32](repeating: 0, count: m.count + 1)
        for byte in value {
            for bit in (0..<8).reversed() {
                // r = 2r + bit, which stays below 2m because r < m.
                var carry = UInt32((byte >> UInt8(bit)) & 1)
                for index in r.indices {
                    let next = r[index] >> 31
                    r[index] = r[index] << 1 | carry
                    carry = next
                }
                // t = r - m; keep t unless that borrowed.
                var t = r
                var borrow: UInt64 = 0
                for index in t.indices {
                    let subtrahend = UInt64(index < m.count ? m[index] : 0) + borrow
                    let difference = UInt64(t[index]) &- subtrahend
                    t[index] = UInt32(truncatingIfNeeded: difference)
                    borrow = (difference >> 63) & 1
                }
                let keep = UInt32(truncatingIfNeeded: 0 &- Int64(1 - borrow))
                for index in r.indices {
                    r[index] = (t[index] & keep) | (r[index] & ~keep)
                }
            }
        }
        return self.bytes(r)
    }

    /// `value - 1` for a non-zero big-endian magnitude.
    static func subtractingOne(_ value: [UInt8]) -> [UInt8] {
        var result = value
        for index in result.indices.reversed() {
            if result[index] == 0 {
                result[index] = 0xFF
            } else {
                result[index] -= 1
                break
            }
        }
        return result
    }

    /// Little-endian 32-bit limbs of a big-endian magnitude.
    private static func limbs(_ bytes: [UInt8]) -> [UInt32] {
        var limbs = [UInt32](repeating: 0, count: (bytes.count + 3) / 4)
        for (offset, byte) in bytes.reversed().enumerated() {
            limbs[offset / 4] |= UInt32(byte) << (8 * UInt32(offset % 4))
        }
        return limbs
    }

    /// The big-endian magnitude of little-endian limbs, without leading zeros.
    private static func bytes(_ limbs: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        for limb in limbs.reversed() {
            bytes.append(contentsOf: [
                UInt8(truncatingIfNeeded: limb >> 24), UInt8(truncatingIfNeeded: limb >> 16),
                UInt8(truncatingIfNeeded: limb >> 8), UInt8(truncatingIfNeeded: limb),
            ])
        }
        return Array(bytes.drop(while: { $0 == 0 }))
    }
}

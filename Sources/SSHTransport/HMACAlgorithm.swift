import Crypto
import SSHProtocol

/// A negotiated MAC algorithm: hmac-sha2-256 / hmac-sha2-512 (RFC 6668 §2) and their encrypt-then-MAC variants
/// hmac-sha2-256-etm@openssh.com / hmac-sha2-512-etm@openssh.com (OpenSSH PROTOCOL §1.7).
struct HMACAlgorithm: Sendable {
    enum Hash: Sendable {
        case sha256
        case sha512
    }

    /// The hash function.
    let hash: Hash
    /// Whether the MAC is computed over the ciphertext (length field sent in clear) instead of the plaintext.
    let encryptThenMAC: Bool

    /// The key length, equal to the digest length (RFC 6668 §2).
    var keyLength: Int { self.macLength }

    /// The MAC length on the wire, equal to the digest length (RFC 6668 §2).
    var macLength: Int {
        switch self.hash {
        case .sha256: return 32
        case .sha512: return 64
        }
    }

    /// Looks up an algorithm by its SSH name.
    init?(name: String) {
        switch name {
        case "hmac-sha2-256": (self.hash, self.encryptThenMAC) = (.sha256, false)
        case "hmac-sha2-512": (self.hash, self.encryptThenMAC) = (.sha512, false)
        case "hmac-sha2-256-etm@openssh.com": (self.hash, self.encryptThenMAC) = (.sha256, true)
        case "hmac-sha2-512-etm@openssh.com": (self.hash, self.encryptThenMAC) = (.sha512, true)
        default: return nil
        }
    }
}

/// A keyed packet MAC: `mac = MAC(key, uint32 sequence_number || data)` (RFC 4253 §6.4).
///
/// The keyed HMAC state (inner and outer pads already absorbed) is computed once and copied for each packet.
struct PacketMAC {
    private enum Keyed {
        case sha256(HMAC<SHA256>)
        case sha512(HMAC<SHA512>)
    }

    private let keyed: Keyed
    /// The algorithm.
    let algorithm: HMACAlgorithm

    /// The MAC length in bytes.
    var length: Int { self.algorithm.macLength }

    /// Keys the MAC.
    ///
    /// - Throws: `SSHError(.keyExchangeFailed)` when the key is not exactly as long as the algorithm requires.
    init(algorithm: HMACAlgorithm, key: [UInt8]) throws {
        guard key.count == algorithm.keyLength else {
            throw SSHError(.keyExchangeFailed, "MAC key is \(key.count) bytes, expected \(algorithm.keyLength)")
        }
        self.algorithm = algorithm
        let symmetricKey = SymmetricKey(data: key)
        switch algorithm.hash {
        case .sha256: self.keyed = .sha256(HMAC<SHA256>(key: symmetricKey))
        case .sha512: self.keyed = .sha512(HMAC<SHA512>(key: symmetricKey))
        }
    }

    /// Computes the MAC of `sequenceNumber || data` into `destination` (exactly ``length`` bytes).
    func authenticate(
        sequenceNumber: UInt32,
        _ data: UnsafeRawBufferPointer,
        into destination: UnsafeMutableRawBufferPointer
    ) {
        switch self.keyed {
        case .sha256(let hmac):
            Self.compute(hmac, sequenceNumber, data, UnsafeRawBufferPointer(start: nil, count: 0))
                .withUnsafeBytes { destination.copyMemory(from: $0) }
        case .sha512(let hmac):
            Self.compute(hmac, sequenceNumber, data, UnsafeRawBufferPointer(start: nil, count: 0))
                .withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    /// Checks in constant time that `mac` is the MAC of `sequenceNumber || first || second`.
    func isValid(
        _ mac: UnsafeRawBufferPointer,
        sequenceNumber: UInt32,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer
    ) -> Bool {
        switch self.keyed {
        case .sha256(let hmac):
            return Self.compute(hmac, sequenceNumber, first, second).withUnsafeBytes { constantTimeEquals($0, mac) }
        case .sha512(let hmac):
            return Self.compute(hmac, sequenceNumber, first, second).withUnsafeBytes { constantTimeEquals($0, mac) }
        }
    }

    private static func compute<H: HashFunction>(
        _ keyed: HMAC<H>,
        _ sequenceNumber: UInt32,
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer
    ) -> HMAC<H>.MAC {
        var hmac = keyed
        withUnsafeBytes(of: sequenceNumber.bigEndian) { hmac.update(data: $0) }
        hmac.update(data: first)
        if second.count > 0 { hmac.update(data: second) }
        return hmac.finalize()
    }
}

import NIOCore
import SSHProtocol

/// A signature as SSH carries it (RFC 4253 §6.6): an algorithm name and an algorithm-specific blob.
///
/// | algorithm | blob |
/// |---|---|
/// | `ssh-ed25519` | the 64-byte Ed25519 signature (RFC 8709 §6) |
/// | `ecdsa-sha2-*` | `mpint r`, `mpint s` (RFC 5656 §3.1.2) |
/// | `rsa-sha2-512`, `rsa-sha2-256`, `ssh-rsa` | the PKCS#1 v1.5 signature, as long as the modulus (RFC 8332 §3) |
public struct SSHSignature: Hashable, Sendable {
    /// The signature algorithm, such as "ssh-ed25519", "ecdsa-sha2-nistp256" or "rsa-sha2-512".
    public var algorithm: String
    /// The algorithm-specific signature bytes (for ECDSA: the encoded `r` and `s` mpints).
    public var blob: [UInt8]

    /// Creates a signature from its parts.
    public init(algorithm: String, blob: [UInt8]) {
        self.algorithm = algorithm
        self.blob = blob
    }

    /// Parses the contents of a signature string: `string algorithm`, `string blob`, and nothing else.
    ///
    /// - Throws: `SSHError(.invalidKey)` when truncated, followed by extra bytes, or the name is not text.
    public init(wireBlob: ByteBuffer) throws {
        var buffer = wireBlob
        guard let algorithm = buffer.readSSHText(), !algorithm.isEmpty,
            let blob = buffer.readSSHStringBytes()
        else {
            throw SSHError(.invalidKey, "malformed signature")
        }
        guard buffer.readableBytes == 0 else {
            throw SSHError(.invalidKey, "trailing bytes after the signature")
        }
        self.init(algorithm: algorithm, blob: blob)
    }

    /// Writes `string algorithm`, `string blob` (the contents of a signature string, not wrapped in one).
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeSSHString(self.algorithm)
        buffer.writeSSHString(self.blob)
    }

    /// The encoded signature, as ``write(to:)`` produces it.
    public var wireBlob: ByteBuffer {
        var buffer = ByteBuffer()
        self.write(to: &buffer)
        return buffer
    }
}

extension SSHSignature {
    /// Encodes a fixed-width `r || s` ECDSA signature as the two mpints RFC 5656 §3.1.2 specifies.
    static func ecdsaBlob<Bytes: RandomAccessCollection>(rawRepresentation raw: Bytes) -> [UInt8]
    where Bytes.Element == UInt8, Bytes.Index == Int {
        let half = raw.count / 2
        var buffer = ByteBuffer()
        buffer.writeSSHUnsignedMPInt(raw[raw.startIndex..<(raw.startIndex + half)])
        buffer.writeSSHUnsignedMPInt(raw[(raw.startIndex + half)...])
        return Array(buffer.readableBytesView)
    }

    /// Decodes an RFC 5656 `r`, `s` blob into the fixed-width `r || s` form, or `nil` when malformed,
    /// when a value is zero or wider than the curve's scalars, or when bytes follow.
    static func ecdsaRawRepresentation(blob: [UInt8], scalarLength: Int) -> [UInt8]? {
        var buffer = ByteBuffer(bytes: blob)
        guard let r = buffer.readSSHUnsignedMPInt(), let s = buffer.readSSHUnsignedMPInt(),
            buffer.readableBytes == 0,
            !r.isEmpty, !s.isEmpty, r.count <= scalarLength, s.count <= scalarLength
        else { return nil }
        return [UInt8](repeating: 0, count: scalarLength - r.count) + r
            + [UInt8](repeating: 0, count: scalarLength - s.count) + s
    }
}

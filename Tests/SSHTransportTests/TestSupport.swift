import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// Decodes a hex string (whitespace ignored).
func hex(_ string: String) -> [UInt8] {
    let digits = string.filter { !$0.isWhitespace }.utf8.map { byte -> UInt8 in
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit")
        }
    }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}

/// Encodes bytes as lowercase hex.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    bytes.map { byte in
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }.joined()
}

func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

/// One cipher with, for non-AEAD ciphers, one MAC.
struct CipherSuite: CustomTestStringConvertible, Sendable {
    var cipher: String
    var mac: String?

    var testDescription: String { self.mac.map { "\(self.cipher) + \($0)" } ?? self.cipher }

    /// Every supported cipher, each non-AEAD one with every supported MAC.
    static let all: [CipherSuite] = SSHTransportAlgorithms.supportedCiphers.flatMap { cipher in
        SSHTransportAlgorithms.isAEAD(cipher: cipher)
            ? [CipherSuite(cipher: cipher, mac: nil)]
            : SSHTransportAlgorithms.supportedMACs.map { CipherSuite(cipher: cipher, mac: $0) }
    }

    /// Deterministic keys of the right lengths; `seed` varies them.
    func keys(seed: UInt8 = 0) throws -> SSHDirectionalKeys {
        let lengths = try SSHTransportAlgorithms.keyLengths(cipher: self.cipher, mac: self.mac)
        func material(_ count: Int, _ base: UInt8) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: Int(base) &+ Int(seed) &* 7 &+ $0 &* 13) }
        }
        return SSHDirectionalKeys(
            initialIV: material(lengths.iv, 0x11),
            encryptionKey: material(lengths.encryption, 0x22),
            integrityKey: material(lengths.integrity, 0x33)
        )
    }

    /// A matching outbound/inbound pair.
    func pair(
        seed: UInt8 = 0,
        maximumPacketLength: Int = 256 * 1024
    ) throws -> (any SSHOutboundProtection, any SSHInboundProtection) {
        let keys = try self.keys(seed: seed)
        return (
            try SSHTransportAlgorithms.makeOutbound(cipher: self.cipher, mac: self.mac, keys: keys),
            try SSHTransportAlgorithms.makeInbound(
                cipher: self.cipher,
                mac: self.mac,
                keys: keys,
                maximumPacketLength: maximumPacketLength
            )
        )
    }

    /// Bytes after the packet: the MAC or tag length.
    var trailerLength: Int {
        switch self.cipher {
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com": return 16
        default: return HMACAlgorithm(name: self.mac!)!.macLength
        }
    }

    /// Whether `packet_length` is sent in clear.
    var lengthInClear: Bool {
        self.cipher.hasPrefix("aes128-gcm") || self.cipher.hasPrefix("aes256-gcm") || self.mac?.contains("etm") == true
    }

    /// The alignment of the packet (RFC 4253 §6: max(8, block size)).
    var alignment: Int { self.cipher.hasPrefix("chacha20") ? 8 : 16 }

    /// Whether the length field counts towards the alignment.
    var lengthFieldAligned: Bool {
        !SSHTransportAlgorithms.isAEAD(cipher: self.cipher) && self.mac?.contains("etm") != true
    }
}

/// Payload `count` bytes long with a recognisable pattern.
func samplePayload(_ count: Int, tag: UInt8 = 0) -> ByteBuffer {
    ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(tag)) })
}

/// Expects `body` to throw an `SSHError` with `code`.
func expectSSHError(
    _ code: SSHError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected SSHError(\(code)), nothing thrown", sourceLocation: sourceLocation)
    } catch let error as SSHError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected SSHError(\(code)), got \(error)", sourceLocation: sourceLocation)
    }
}

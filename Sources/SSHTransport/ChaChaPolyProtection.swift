import Crypto
import NIOCore
import SSHProtocol
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The two ChaCha20 instances of chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).
///
/// The 64 bytes of key material are split into K_2, the first 32 bytes, which encrypts the payload and yields the
/// Poly1305 key, and K_1, the second 32 bytes, which only encrypts the 4-byte packet length.
///
/// Both instances use the packet sequence number as a 64-bit big-endian nonce and a 64-bit block counter, laid
/// out in ChaCha20 state words 12–15 as `counter (little-endian) || nonce`. The counter's high half stays zero (a
/// packet would need 2^32 blocks to carry into it), so that state is exactly the RFC 8439 layout with a 32-bit
/// counter and the 12-byte nonce `00 00 00 00 || uint64 sequence_number`.
struct ChaChaPolyKeys {
    /// The key material length in bytes.
    static let keyLength = 64

    /// K_1: encrypts `packet_length`.
    let headerKey: SymmetricKey
    /// K_2: Poly1305 key (block 0) and payload (blocks 1 onwards).
    let mainKey: SymmetricKey

    /// - Throws: `SSHError(.keyExchangeFailed)` when the key material is not 64 bytes.
    init(_ key: [UInt8]) throws {
        guard key.count == Self.keyLength else {
            throw SSHError(.keyExchangeFailed, "chacha20-poly1305 key is \(key.count) bytes, expected 64")
        }
        self.mainKey = SymmetricKey(data: key[0..<32])
        self.headerKey = SymmetricKey(data: key[32..<64])
    }

    /// The RFC 8439 nonce for a sequence number: four zero bytes (the high half of the 64-bit block counter)
    /// followed by the sequence number as a big-endian uint64.
    static func nonce(sequenceNumber: UInt32) throws -> Insecure.ChaCha20CTR.Nonce {
        // 4 zero bytes, then the sequence number as a big-endian uint64 (its top half is zero).
        let words: (UInt32, UInt32, UInt32) = (0, 0, sequenceNumber.bigEndian)
        return try withUnsafeBytes(of: words) { try Insecure.ChaCha20CTR.Nonce(data: $0) }
    }

    /// XORs the length keystream (K_1, block 0) into 4 bytes.
    func cryptLength(_ bytes: UnsafeRawBufferPointer, nonce: Insecure.ChaCha20CTR.Nonce) throws -> Data {
        try Insecure.ChaCha20CTR.encrypt(bytes, using: self.headerKey, nonce: nonce)
    }

    /// The one-time Poly1305 key: the first 32 bytes of K_2's block 0.
    func polyKey(nonce: Insecure.ChaCha20CTR.Nonce) throws -> Data {
        try Insecure.ChaCha20CTR.encrypt([UInt8](repeating: 0, count: 32), using: self.mainKey, nonce: nonce)
    }

    /// XORs K_2's keystream from block 1 onwards into `source`, storing the result in `destination`.
    func cryptPayload(
        _ source: UnsafeRawBufferPointer,
        to destination: UnsafeMutableRawBufferPointer,
        nonce: Insecure.ChaCha20CTR.Nonce
    ) throws {
        let result = try Insecure.ChaCha20CTR.encrypt(
            source,
            using: self.mainKey,
            counter: Insecure.ChaCha20CTR.Counter(offset: 1),
            nonce: nonce
        )
        result.withUnsafeBytes { destination.copyMemory(from: $0) }
    }
}

/// Outbound chacha20-poly1305@openssh.com: the length is encrypted with K_1, the rest with K_2 from block 1, and
/// the Poly1305 tag over the whole ciphertext (encrypted length included) is appended. Padding aligns
/// `padding_length || payload || padding` to 8 bytes. The negotiated MAC is ignored.
final class ChaChaPolyOutboundProtection: SSHOutboundProtection {
    /// The block size used for padding.
    static let blockSize = 8

    private let keys: ChaChaPolyKeys
    private var random = PaddingRandomPool()

    init(keys: SSHDirectionalKeys) throws {
        self.keys = try ChaChaPolyKeys(keys.encryptionKey)
    }

    func seal(_ payload: SSHPacketPayload, sequenceNumber: UInt32, into output: inout ByteBuffer) throws {
        let padding = PacketFraming.paddingLength(
            payloadLength: payload.readableBytes,
            blockSize: Self.blockSize,
            lengthFieldIncluded: false
        )
        let packetLength = 1 + payload.readableBytes + padding
        output.reserveCapacity(minimumWritableBytes: 4 + packetLength + Poly1305.tagLength)
        let offset = output.writerIndex - output.readerIndex
        PacketFraming.writeFrame(payload: payload, paddingLength: padding, random: &self.random, into: &output)
        output.writeRepeatingByte(0, count: Poly1305.tagLength)
        let nonce = try ChaChaPolyKeys.nonce(sequenceNumber: sequenceNumber)
        let polyKey = try self.keys.polyKey(nonce: nonce)
        try output.withUnsafeMutableReadableBytes { bytes in
            let packet = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + 4 + packetLength)])
            let length = UnsafeMutableRawBufferPointer(rebasing: packet[0..<4])
            try self.keys.cryptLength(UnsafeRawBufferPointer(length), nonce: nonce)
                .withUnsafeBytes { length.copyMemory(from: $0) }
            let body = UnsafeMutableRawBufferPointer(rebasing: packet[4...])
            try self.keys.cryptPayload(UnsafeRawBufferPointer(body), to: body, nonce: nonce)
            let tag = polyKey.withUnsafeBytes {
                Poly1305.authenticate(message: UnsafeRawBufferPointer(packet), key: $0)
            }
            UnsafeMutableRawBufferPointer(rebasing: bytes[(offset + 4 + packetLength)...]).copyBytes(from: tag)
        }
    }
}

/// Inbound chacha20-poly1305@openssh.com; see ``ChaChaPolyOutboundProtection``. The length is decrypted once per
/// packet and kept while the rest arrives; the tag is verified before the payload is decrypted.
final class ChaChaPolyInboundProtection: SSHInboundProtection {
    private let keys: ChaChaPolyKeys
    private let maximumPacketLength: Int
    private let allocator = ByteBufferAllocator()
    private var pendingPacketLength: Int?

    init(keys: SSHDirectionalKeys, maximumPacketLength: Int) throws {
        self.keys = try ChaChaPolyKeys(keys.encryptionKey)
        self.maximumPacketLength = maximumPacketLength
    }

    func open(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        let nonce: Insecure.ChaCha20CTR.Nonce
        let packetLength: Int
        if let pending = self.pendingPacketLength {
            packetLength = pending
            nonce = try ChaChaPolyKeys.nonce(sequenceNumber: sequenceNumber)
        } else {
            guard input.readableBytes >= 4 else { return nil }
            nonce = try ChaChaPolyKeys.nonce(sequenceNumber: sequenceNumber)
            let plainLength = try input.withUnsafeReadableBytes {
                try self.keys.cryptLength(UnsafeRawBufferPointer(rebasing: $0[0..<4]), nonce: nonce)
            }
            let length = plainLength.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
            packetLength = try PacketFraming.validatePacketLength(
                length,
                blockSize: ChaChaPolyOutboundProtection.blockSize,
                lengthFieldIncluded: false,
                maximum: self.maximumPacketLength
            )
            self.pendingPacketLength = packetLength
        }
        let total = 4 + packetLength + Poly1305.tagLength
        guard input.readableBytes >= total else { return nil }
        self.pendingPacketLength = nil

        let polyKey = try self.keys.polyKey(nonce: nonce)
        var packet = self.allocator.buffer(capacity: packetLength)
        try input.withUnsafeReadableBytes { bytes in
            let expected = polyKey.withUnsafeBytes {
                Poly1305.authenticate(message: UnsafeRawBufferPointer(rebasing: bytes[0..<(4 + packetLength)]), key: $0)
            }
            let valid = expected.withUnsafeBytes {
                constantTimeEquals($0, UnsafeRawBufferPointer(rebasing: bytes[(4 + packetLength)..<total]))
            }
            guard valid else { throw SSHError(.macError, "Poly1305 tag verification failed") }
            try packet.writeWithUnsafeMutableBytes(minimumWritableBytes: packetLength) { destination in
                try self.keys.cryptPayload(
                    UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + packetLength)]),
                    to: destination,
                    nonce: nonce
                )
                return packetLength
            }
        }
        input.moveReaderIndex(forwardBy: total)
        let payloadLength = try PacketFraming.payloadLength(
            packetLength: packetLength,
            paddingLength: packet.getInteger(at: 0)!
        )
        return packet.getSlice(at: 1, length: payloadLength)!
    }
}

import Crypto
import NIOCore
import SSHProtocol

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The nonce of aes128-gcm@openssh.com and aes256-gcm@openssh.com (RFC 5647 §7.1): a 4-byte fixed field followed
/// by an 8-byte big-endian invocation counter, both taken from the derived IV; the counter is incremented (mod 2^64)
/// after every packet and the fixed field never changes.
struct AESGCMNonceSequence {
    /// The IV length in bytes.
    static let ivLength = 12

    private let fixed: UInt32
    private var invocationCounter: UInt64

    /// - Throws: `SSHError(.keyExchangeFailed)` when the IV is not 12 bytes.
    init(iv: [UInt8]) throws {
        guard iv.count == Self.ivLength else {
            throw SSHError(.keyExchangeFailed, "AES-GCM IV is \(iv.count) bytes, expected 12")
        }
        (self.fixed, self.invocationCounter) = iv.withUnsafeBytes {
            (
                UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt32.self)),
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
            )
        }
    }

    /// Returns the nonce for the next packet and advances the invocation counter.
    mutating func next() throws -> AES.GCM.Nonce {
        let words = (
            self.fixed.bigEndian,
            UInt32(truncatingIfNeeded: self.invocationCounter >> 32).bigEndian,
            UInt32(truncatingIfNeeded: self.invocationCounter).bigEndian
        )
        self.invocationCounter &+= 1
        return try withUnsafeBytes(of: words) { try AES.GCM.Nonce(data: $0) }
    }
}

/// Validates an AES-GCM key length (16 bytes for aes128-gcm, 32 for aes256-gcm).
private func gcmKey(_ bytes: [UInt8]) throws -> SymmetricKey {
    guard bytes.count == 16 || bytes.count == 32 else {
        throw SSHError(.keyExchangeFailed, "AES-GCM key is \(bytes.count) bytes")
    }
    return SymmetricKey(data: bytes)
}

/// Outbound aes-gcm@openssh.com (RFC 5647 §7 as OpenSSH implements it): `packet_length` is sent in clear and
/// authenticated as additional data; `padding_length || payload || padding` is encrypted (aligned to 16 without the
/// length field) and followed by the 16-byte tag. The negotiated MAC is ignored.
final class AESGCMOutboundProtection: SSHOutboundProtection {
    /// The AES block size and the tag length.
    static let blockSize = 16
    static let tagLength = 16

    private let key: SymmetricKey
    private var nonces: AESGCMNonceSequence
    private var random = PaddingRandomPool()

    init(keys: SSHDirectionalKeys) throws {
        self.key = try gcmKey(keys.encryptionKey)
        self.nonces = try AESGCMNonceSequence(iv: keys.initialIV)
    }

    func seal(_ payload: SSHPacketPayload, sequenceNumber: UInt32, into output: inout ByteBuffer) throws {
        let padding = PacketFraming.paddingLength(
            payloadLength: payload.readableBytes,
            blockSize: Self.blockSize,
            lengthFieldIncluded: false
        )
        let packetLength = 1 + payload.readableBytes + padding
        output.reserveCapacity(minimumWritableBytes: 4 + packetLength + Self.tagLength)
        let offset = output.writerIndex - output.readerIndex
        PacketFraming.writeFrame(payload: payload, paddingLength: padding, random: &self.random, into: &output)
        output.writeRepeatingByte(0, count: Self.tagLength)
        let nonce = try self.nonces.next()
        try output.withUnsafeMutableReadableBytes { bytes in
            let length = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 4)])
            let body = UnsafeMutableRawBufferPointer(rebasing: bytes[(offset + 4)..<(offset + 4 + packetLength)])
            let tag = UnsafeMutableRawBufferPointer(rebasing: bytes[(offset + 4 + packetLength)...])
            let box = try AES.GCM.seal(
                UnsafeRawBufferPointer(body),
                using: self.key,
                nonce: nonce,
                authenticating: length
            )
            box.ciphertext.withUnsafeBytes { body.copyMemory(from: $0) }
            box.tag.withUnsafeBytes { tag.copyMemory(from: $0) }
        }
    }
}

/// Inbound aes-gcm@openssh.com; see ``AESGCMOutboundProtection``. Nothing is decrypted unless the tag verifies.
final class AESGCMInboundProtection: SSHInboundProtection {
    private let key: SymmetricKey
    private var nonces: AESGCMNonceSequence
    private let maximumPacketLength: Int
    private let allocator = ByteBufferAllocator()

    init(keys: SSHDirectionalKeys, maximumPacketLength: Int) throws {
        self.key = try gcmKey(keys.encryptionKey)
        self.nonces = try AESGCMNonceSequence(iv: keys.initialIV)
        self.maximumPacketLength = maximumPacketLength
    }

    func open(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        guard let length = input.getInteger(at: input.readerIndex, as: UInt32.self) else { return nil }
        let packetLength = try PacketFraming.validatePacketLength(
            length,
            blockSize: AESGCMOutboundProtection.blockSize,
            lengthFieldIncluded: false,
            maximum: self.maximumPacketLength
        )
        let total = 4 + packetLength + AESGCMOutboundProtection.tagLength
        guard input.readableBytes >= total else { return nil }

        let nonce = try self.nonces.next()
        let plaintext: Data = try input.withUnsafeReadableBytes { bytes in
            do {
                let box = try AES.GCM.SealedBox(
                    nonce: nonce,
                    ciphertext: UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + packetLength)]),
                    tag: UnsafeRawBufferPointer(rebasing: bytes[(4 + packetLength)..<total])
                )
                return try AES.GCM.open(
                    box,
                    using: self.key,
                    authenticating: UnsafeRawBufferPointer(rebasing: bytes[0..<4])
                )
            } catch {
                throw SSHError(.macError, "AES-GCM authentication failed")
            }
        }
        input.moveReaderIndex(forwardBy: total)
        var packet = self.allocator.buffer(capacity: packetLength)
        _ = plaintext.withUnsafeBytes { packet.writeBytes($0) }
        let payloadLength = try PacketFraming.payloadLength(
            packetLength: packetLength,
            paddingLength: packet.getInteger(at: 0)!
        )
        return packet.getSlice(at: 1, length: payloadLength)!
    }
}

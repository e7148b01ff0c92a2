import NIOCore
import SSHProtocol

/// Outbound aes*-ctr (RFC 4344 §4) with hmac-sha2 (RFC 6668): the MAC is computed over
/// `uint32 sequence_number || unencrypted packet` (RFC 4253 §6.4), or for the etm variants over
/// `uint32 sequence_number || uint32 packet_length || ciphertext` with the length sent in clear (OpenSSH PROTOCOL
/// §1.7).
final class AESCTROutboundProtection: SSHOutboundProtection {
    private var keystream: AESCTRKeystream
    private let mac: PacketMAC
    private var random = PaddingRandomPool()

    init(keys: SSHDirectionalKeys, mac: PacketMAC) throws {
        self.keystream = try AESCTRKeystream(key: keys.encryptionKey, iv: keys.initialIV)
        self.mac = mac
    }

    func seal(_ payload: SSHPacketPayload, sequenceNumber: UInt32, into output: inout ByteBuffer) throws {
        let etm = self.mac.algorithm.encryptThenMAC
        let padding = PacketFraming.paddingLength(
            payloadLength: payload.readableBytes,
            blockSize: AESCTRKeystream.blockSize,
            lengthFieldIncluded: !etm
        )
        let packetLength = 1 + payload.readableBytes + padding
        let macLength = self.mac.length
        output.reserveCapacity(minimumWritableBytes: 4 + packetLength + macLength)
        let offset = output.writerIndex - output.readerIndex
        PacketFraming.writeFrame(payload: payload, paddingLength: padding, random: &self.random, into: &output)
        output.writeRepeatingByte(0, count: macLength)
        try output.withUnsafeMutableReadableBytes { bytes in
            let packet = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + 4 + packetLength)])
            let macBytes = UnsafeMutableRawBufferPointer(rebasing: bytes[(offset + 4 + packetLength)...])
            if etm {
                try self.keystream.apply(inPlace: UnsafeMutableRawBufferPointer(rebasing: packet[4...]))
                self.mac.authenticate(sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(packet), into: macBytes)
            } else {
                self.mac.authenticate(sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(packet), into: macBytes)
                try self.keystream.apply(inPlace: packet)
            }
        }
    }
}

/// Inbound aes*-ctr with hmac-sha2 or hmac-sha2-etm; see ``AESCTROutboundProtection``.
///
/// Without etm the length is encrypted: the first block is decrypted once to learn it and kept until the rest of
/// the packet has arrived. With etm the MAC is checked before anything is decrypted.
final class AESCTRInboundProtection: SSHInboundProtection {
    private var keystream: AESCTRKeystream
    private let mac: PacketMAC
    private let maximumPacketLength: Int
    private let allocator = ByteBufferAllocator()
    /// The decrypted first block of a packet whose remainder has not arrived yet (non-etm only).
    private var firstBlock = [UInt8](repeating: 0, count: AESCTRKeystream.blockSize)
    private var pendingPacketLength: Int?

    init(keys: SSHDirectionalKeys, mac: PacketMAC, maximumPacketLength: Int) throws {
        self.keystream = try AESCTRKeystream(key: keys.encryptionKey, iv: keys.initialIV)
        self.mac = mac
        self.maximumPacketLength = maximumPacketLength
    }

    func open(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        if self.mac.algorithm.encryptThenMAC {
            return try self.openEncryptThenMAC(&input, sequenceNumber: sequenceNumber)
        }
        return try self.openEncryptAndMAC(&input, sequenceNumber: sequenceNumber)
    }

    private func openEncryptAndMAC(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        let blockSize = AESCTRKeystream.blockSize
        let packetLength: Int
        if let pending = self.pendingPacketLength {
            packetLength = pending
        } else {
            guard input.readableBytes >= blockSize else { return nil }
            try input.withUnsafeReadableBytes { bytes in
                try self.firstBlock.withUnsafeMutableBytes { block in
                    try self.keystream.apply(UnsafeRawBufferPointer(rebasing: bytes[0..<blockSize]), to: block)
                }
            }
            let length = self.firstBlock.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
            packetLength = try PacketFraming.validatePacketLength(
                length,
                blockSize: blockSize,
                lengthFieldIncluded: true,
                maximum: self.maximumPacketLength
            )
            self.pendingPacketLength = packetLength
        }
        let macLength = self.mac.length
        let total = 4 + packetLength + macLength
        guard input.readableBytes >= total else { return nil }

        // The whole plaintext packet: the kept first block, then the rest decrypted straight from `input`.
        let restLength = 4 + packetLength - blockSize
        var packet = self.allocator.buffer(capacity: 4 + packetLength)
        packet.writeBytes(self.firstBlock)
        try input.withUnsafeReadableBytes { bytes in
            let rest = UnsafeRawBufferPointer(rebasing: bytes[blockSize..<(blockSize + restLength)])
            try packet.writeWithUnsafeMutableBytes(minimumWritableBytes: restLength) { destination in
                try self.keystream.apply(rest, to: destination)
                return restLength
            }
        }
        self.pendingPacketLength = nil
        let valid = input.withUnsafeReadableBytes { bytes in
            packet.withUnsafeReadableBytes { plain in
                self.mac.isValid(
                    UnsafeRawBufferPointer(rebasing: bytes[(4 + packetLength)..<total]),
                    sequenceNumber: sequenceNumber,
                    plain,
                    UnsafeRawBufferPointer(start: nil, count: 0)
                )
            }
        }
        guard valid else { throw SSHError(.macError, "MAC verification failed") }
        input.moveReaderIndex(forwardBy: total)
        let payloadLength = try PacketFraming.payloadLength(
            packetLength: packetLength,
            paddingLength: packet.getInteger(at: 4)!
        )
        return packet.getSlice(at: 5, length: payloadLength)!
    }

    private func openEncryptThenMAC(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        guard let length = input.getInteger(at: input.readerIndex, as: UInt32.self) else { return nil }
        let packetLength = try PacketFraming.validatePacketLength(
            length,
            blockSize: AESCTRKeystream.blockSize,
            lengthFieldIncluded: false,
            maximum: self.maximumPacketLength
        )
        let total = 4 + packetLength + self.mac.length
        guard input.readableBytes >= total else { return nil }

        var packet = self.allocator.buffer(capacity: packetLength)
        try input.withUnsafeReadableBytes { bytes in
            let valid = self.mac.isValid(
                UnsafeRawBufferPointer(rebasing: bytes[(4 + packetLength)..<total]),
                sequenceNumber: sequenceNumber,
                UnsafeRawBufferPointer(rebasing: bytes[0..<(4 + packetLength)]),
                UnsafeRawBufferPointer(start: nil, count: 0)
            )
            guard valid else { throw SSHError(.macError, "MAC verification failed") }
            try packet.writeWithUnsafeMutableBytes(minimumWritableBytes: packetLength) { destination in
                try self.keystream.apply(
                    UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + packetLength)]),
                    to: destination
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

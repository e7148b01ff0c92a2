import NIOCore
import SSHProtocol

/// The binary packet layout shared by every cipher (RFC 4253 §6).
enum PacketFraming {
    /// RFC 4253 §6: "There MUST be at least four bytes of padding."
    static let minimumPadding = 4
    /// RFC 4253 §6: the total length is a multiple of the cipher block size or 8, whichever is larger.
    static let minimumAlignment = 8

    /// The padding length for a payload of `payloadLength` bytes.
    ///
    /// - Parameters:
    ///   - blockSize: the cipher block size (8 for "none" and chacha20-poly1305, 16 for AES).
    ///   - lengthFieldIncluded: whether the 4-byte length field counts towards the alignment. It does in RFC 4253;
    ///     it does not for AEAD and encrypt-then-MAC modes, where the length is not encrypted with the payload
    ///     (OpenSSH PROTOCOL §1.5, RFC 5647 §7.2).
    static func paddingLength(payloadLength: Int, blockSize: Int, lengthFieldIncluded: Bool) -> Int {
        let alignment = max(Self.minimumAlignment, blockSize)
        let covered = (lengthFieldIncluded ? 5 : 1) + payloadLength
        var padding = alignment - covered % alignment
        if padding < Self.minimumPadding { padding += alignment }
        return padding
    }

    /// Appends `uint32 packet_length || byte padding_length || payload || random padding` to `output`.
    ///
    /// - Returns: the `packet_length` written.
    @discardableResult
    static func writeFrame(
        payload: SSHPacketPayload,
        paddingLength: Int,
        random: inout PaddingRandomPool,
        into output: inout ByteBuffer
    ) -> Int {
        let packetLength = 1 + payload.readableBytes + paddingLength
        output.writeInteger(UInt32(packetLength))
        output.writeInteger(UInt8(paddingLength))
        output.writeImmutableBuffer(payload.head)
        if let body = payload.body { output.writeImmutableBuffer(body) }
        random.write(count: paddingLength, into: &output)
        return packetLength
    }

    /// Checks a received `packet_length` before any more bytes are awaited.
    ///
    /// - Throws: `SSHError(.badPacket)` when the length exceeds `maximum`, cannot hold the padding length byte and
    ///   four bytes of padding, or is not aligned to `max(8, blockSize)`.
    static func validatePacketLength(
        _ length: UInt32,
        blockSize: Int,
        lengthFieldIncluded: Bool,
        maximum: Int
    ) throws -> Int {
        guard UInt64(length) <= UInt64(max(maximum, 0)) else {
            throw SSHError(.badPacket, "packet length \(length) exceeds the maximum of \(maximum)")
        }
        let packetLength = Int(length)
        guard packetLength >= 1 + Self.minimumPadding else {
            throw SSHError(.badPacket, "packet length \(length) is too short")
        }
        let alignment = max(Self.minimumAlignment, blockSize)
        guard (lengthFieldIncluded ? packetLength + 4 : packetLength) % alignment == 0 else {
            throw SSHError(.badPacket, "packet length \(length) is not a multiple of the block size \(alignment)")
        }
        return packetLength
    }

    /// Checks `padding_length` against `packet_length` and returns the payload length.
    ///
    /// - Throws: `SSHError(.badPacket)` when the padding is shorter than four bytes or does not fit.
    static func payloadLength(packetLength: Int, paddingLength: UInt8) throws -> Int {
        let padding = Int(paddingLength)
        guard padding >= Self.minimumPadding, padding <= packetLength - 1 else {
            throw SSHError(.badPacket, "invalid padding length \(padding) for packet length \(packetLength)")
        }
        return packetLength - 1 - padding
    }
}

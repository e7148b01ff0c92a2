import NIOCore
import SSHProtocol

/// The "none" cipher and MAC in force before the first SSH_MSG_NEWKEYS (RFC 4253 §6.3, §6.4): packets are framed
/// and padded to a multiple of 8 bytes but neither encrypted nor authenticated.
public final class SSHPlaintextProtection: SSHOutboundProtection, SSHInboundProtection {
    /// RFC 4253 §6: the alignment of "none" is 8 bytes.
    static let blockSize = 8

    private let maximumPacketLength: Int
    private var random = PaddingRandomPool()

    /// Creates the protection.
    ///
    /// - Parameter maximumPacketLength: the largest `packet_length` accepted on input (RFC 4253 §6.1 requires at
    ///   least 35000).
    public init(maximumPacketLength: Int = 256 * 1024) {
        self.maximumPacketLength = maximumPacketLength
    }

    /// Frames `payload` with random padding (RFC 4253 §6) and appends it to `output`.
    public func seal(_ payload: SSHPacketPayload, sequenceNumber: UInt32, into output: inout ByteBuffer) throws {
        let padding = PacketFraming.paddingLength(
            payloadLength: payload.readableBytes,
            blockSize: Self.blockSize,
            lengthFieldIncluded: true
        )
        output.reserveCapacity(minimumWritableBytes: 5 + payload.readableBytes + padding)
        PacketFraming.writeFrame(payload: payload, paddingLength: padding, random: &self.random, into: &output)
    }

    /// Takes one packet from `input`; the payload returned shares storage with `input`.
    public func open(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer? {
        guard let length = input.getInteger(at: input.readerIndex, as: UInt32.self) else { return nil }
        let packetLength = try PacketFraming.validatePacketLength(
            length,
            blockSize: Self.blockSize,
            lengthFieldIncluded: true,
            maximum: self.maximumPacketLength
        )
        guard input.readableBytes >= 4 + packetLength else { return nil }
        let paddingLength: UInt8 = input.getInteger(at: input.readerIndex + 4)!
        let payloadLength = try PacketFraming.payloadLength(packetLength: packetLength, paddingLength: paddingLength)
        let payload = input.getSlice(at: input.readerIndex + 5, length: payloadLength)!
        input.moveReaderIndex(forwardBy: 4 + packetLength)
        return payload
    }
}

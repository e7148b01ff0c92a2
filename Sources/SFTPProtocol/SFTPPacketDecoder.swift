import NIOCore

/// Splits a byte stream into SFTP packets (draft-ietf-secsh-filexfer-02 §3).
///
/// Feed it whatever arrives with ``append(_:)``, then call ``nextPacket()`` (or ``nextMessage()``)
/// until it returns `nil`, which means it needs more bytes. It is a plain value, not a channel
/// handler, so it works the same under NIO, over pipes, and in tests.
///
/// The packet length is checked as soon as its four bytes arrive, so an oversized packet is refused
/// before its body is buffered. A length error is final: the stream cannot be resynchronised after
/// it. A packet whose body fails to decode is still consumed whole, so the stream stays in step and
/// a server can answer it with `SSH_FX_BAD_MESSAGE` or `SSH_FX_OP_UNSUPPORTED`
/// (``SFTPError/requestID`` says which request to answer).
public struct SFTPPacketDecoder: Sendable {
    /// The default limit on the `length` field: room for 256 KiB of `WRITE` or `DATA` bytes plus 1 KiB
    /// of headers (OpenSSH's `sftp-server` accepts packets of up to 256 KiB).
    public static let defaultMaximumPacketLength = 256 * 1024 + 1024

    /// The largest `length` field accepted (the bytes after the four-byte length itself).
    public var maximumPacketLength: Int

    private var buffer: ByteBuffer

    /// A decoder that refuses packets longer than `maximumPacketLength`.
    public init(maximumPacketLength: Int = SFTPPacketDecoder.defaultMaximumPacketLength) {
        precondition(maximumPacketLength >= 1, "a packet holds at least its type byte")
        self.maximumPacketLength = maximumPacketLength
        self.buffer = ByteBuffer()
    }

    /// The bytes received but not yet returned as packets.
    public var bufferedBytes: Int { self.buffer.readableBytes }

    /// Adds received bytes.
    ///
    /// When nothing is pending, the decoder keeps `bytes` itself rather than copying it, so packets
    /// that arrive whole are returned as slices of the caller's buffer.
    public mutating func append(_ bytes: ByteBuffer) {
        if self.buffer.readableBytes == 0 {
            self.buffer = bytes
            return
        }
        if self.buffer.readerIndex >= 64 * 1024 {
            self.buffer.discardReadBytes()
        }
        // A packet arriving in pieces is gathered in one allocation of its announced size (an acceptable one),
        // rather than regrown and copied as each piece comes.
        if let length = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt32.self),
            UInt64(length) <= UInt64(self.maximumPacketLength)
        {
            let missing = 4 + Int(length) - self.buffer.readableBytes
            if missing > bytes.readableBytes {
                self.buffer.reserveCapacity(minimumWritableBytes: missing)
            }
        }
        var bytes = bytes
        self.buffer.writeBuffer(&bytes)
    }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        self.append(ByteBuffer(bytes: bytes))
    }

    /// The next whole packet's body (type byte, request id and fields, without the length prefix),
    /// or `nil` when more bytes are needed.
    ///
    /// The body is a slice of the decoder's buffer; no bytes are copied.
    ///
    /// - Throws: ``SFTPError`` with code `.badPacketLength` when the length is zero or exceeds
    ///   ``maximumPacketLength``.
    public mutating func nextPacket() throws(SFTPError) -> ByteBuffer? {
        guard let length = self.buffer.getInteger(at: self.buffer.readerIndex, as: UInt32.self) else {
            return nil
        }
        guard length > 0 else {
            throw SFTPError(.badPacketLength, "packet length is zero")
        }
        guard UInt64(length) <= UInt64(self.maximumPacketLength) else {
            throw SFTPError(
                .badPacketLength,
                "packet length \(length) exceeds the maximum of \(self.maximumPacketLength)"
            )
        }
        guard self.buffer.readableBytes >= 4 + Int(length) else {
            return nil
        }
        self.buffer.moveReaderIndex(forwardBy: 4)
        let packet = self.buffer.readSlice(length: Int(length))!
        if self.buffer.readableBytes == 0 {
            // Drop the reference to the received bytes, so an idle session holds no buffer (the packet slice
            // keeps what it needs).
            self.buffer = ByteBuffer()
        }
        return packet
    }

    /// The next whole packet, decoded, or `nil` when more bytes are needed.
    ///
    /// - Throws: ``SFTPError`` from ``nextPacket()`` (final), or from decoding
    ///   (``NIOCore/ByteBuffer/readSFTPMessage()``), after which the next packet can still be read.
    public mutating func nextMessage() throws(SFTPError) -> SFTPMessage? {
        guard var packet = try self.nextPacket() else { return nil }
        return try packet.readSFTPMessage()
    }
}

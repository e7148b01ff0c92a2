import NIOCore

/// Frames and protects outbound packets (RFC 4253 §6).
///
/// A packet is `uint32 packet_length`, `byte padding_length`, the payload, random padding (at least four bytes,
/// bringing the total to a multiple of `max(8, blockSize)`; for AEAD and encrypt-then-MAC modes the length field
/// is excluded from the alignment, as OpenSSH does), then the MAC or authentication tag.
///
/// One object protects one direction and is replaced at each SSH_MSG_NEWKEYS (RFC 4253 §7.3).
public protocol SSHOutboundProtection: AnyObject {
    /// Frames `payload` as one binary packet, protects it and appends it to `output`.
    ///
    /// - Parameters:
    ///   - payload: the packet payload (message number byte first), possibly in two parts.
    ///   - sequenceNumber: the packet sequence number of this direction (RFC 4253 §6.4), wrapping at 2^32.
    ///   - output: the buffer the protected packet is written to.
    func seal(_ payload: SSHPacketPayload, sequenceNumber: UInt32, into output: inout ByteBuffer) throws
}

extension SSHOutboundProtection {
    /// Frames and protects a payload held in one buffer.
    public func seal(_ payload: ByteBuffer, sequenceNumber: UInt32, into output: inout ByteBuffer) throws {
        try self.seal(SSHPacketPayload(head: payload), sequenceNumber: sequenceNumber, into: &output)
    }
}

/// A packet payload in up to two parts, so that bulk data (a channel's bytes) goes into the packet frame
/// straight from where it is, behind a small header, without first being copied into a payload buffer.
public struct SSHPacketPayload {
    /// The first part: the whole payload, or the message header.
    public var head: ByteBuffer
    /// The bytes that follow `head`, if any.
    public var body: ByteBuffer?

    public init(head: ByteBuffer, body: ByteBuffer? = nil) {
        self.head = head
        self.body = body
    }

    /// The payload length.
    public var readableBytes: Int { self.head.readableBytes + (self.body?.readableBytes ?? 0) }
}

/// Opens inbound packets (RFC 4253 §6).
///
/// One object protects one direction and is replaced at each SSH_MSG_NEWKEYS (RFC 4253 §7.3).
public protocol SSHInboundProtection: AnyObject {
    /// Takes one whole packet from the front of `input` (advancing its reader index) and returns the payload, or
    /// returns `nil` when more bytes are needed.
    ///
    /// When `nil` is returned `input` is left unconsumed; the object may keep private state (for example an
    /// already-decrypted first block) so that it never decrypts the same bytes twice. The next call must pass the
    /// same bytes again, with more appended, and the same sequence number.
    ///
    /// - Throws: `SSHError(.badPacket)` when `packet_length` exceeds the maximum, is below the minimum or is
    ///   misaligned, or when `padding_length` is invalid; `SSHError(.macError)` when the MAC or tag fails.
    func open(_ input: inout ByteBuffer, sequenceNumber: UInt32) throws -> ByteBuffer?
}

/// The keys of one direction derived by RFC 4253 §7.2: IV, encryption key and integrity key.
public struct SSHDirectionalKeys: Sendable {
    /// The initial IV (letter "A" client to server, "B" server to client).
    public var initialIV: [UInt8]
    /// The encryption key (letter "C" client to server, "D" server to client).
    public var encryptionKey: [UInt8]
    /// The integrity key (letter "E" client to server, "F" server to client).
    public var integrityKey: [UInt8]

    /// Creates a key set.
    public init(initialIV: [UInt8], encryptionKey: [UInt8], integrityKey: [UInt8]) {
        self.initialIV = initialIV
        self.encryptionKey = encryptionKey
        self.integrityKey = integrityKey
    }
}

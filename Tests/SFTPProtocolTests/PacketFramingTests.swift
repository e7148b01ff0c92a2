import NIOCore
import SFTPProtocol
import Testing

/// Packet framing (draft-ietf-secsh-filexfer-02 §3): `uint32 length` then that many bytes.
@Suite struct PacketFramingTests {
    /// All golden packets back to back, as one stream.
    static var stream: ByteBuffer {
        var stream = ByteBuffer()
        for golden in allGoldens { stream.writeImmutableBuffer(golden.packet) }
        return stream
    }

    @Test func dripFedByteByByte() throws {
        var decoder = SFTPPacketDecoder()
        var decoded: [SFTPMessage] = []
        for byte in Self.stream.readableBytesView {
            decoder.append(contentsOf: [byte])
            while let message = try decoder.nextMessage() { decoded.append(message) }
        }
        #expect(decoded == allGoldens.map(\.message))
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func wholeStreamAtOnce() throws {
        var decoder = SFTPPacketDecoder()
        decoder.append(Self.stream)
        var decoded: [SFTPMessage] = []
        while let message = try decoder.nextMessage() { decoded.append(message) }
        #expect(decoded == allGoldens.map(\.message))
    }

    @Test func randomChunks() throws {
        var random = SeededGenerator(seed: 7)
        let stream = Self.stream
        for _ in 0..<20 {
            var decoder = SFTPPacketDecoder()
            var decoded: [SFTPMessage] = []
            var offset = 0
            while offset < stream.readableBytes {
                let length = min(Int.random(in: 1...40, using: &random), stream.readableBytes - offset)
                decoder.append(stream.getSlice(at: offset, length: length)!)
                offset += length
                while let message = try decoder.nextMessage() { decoded.append(message) }
            }
            #expect(decoded == allGoldens.map(\.message))
        }
    }

    @Test(arguments: allGoldens)
    func everyProperPrefixWaits(_ golden: Golden) throws {
        for length in 0..<golden.packet.readableBytes {
            var decoder = SFTPPacketDecoder()
            decoder.append(golden.packet.prefix(length))
            #expect(try decoder.nextPacket() == nil, "\(length) bytes")
            #expect(decoder.bufferedBytes == length)
        }
    }

    @Test func packetBodyExcludesTheLength() throws {
        var decoder = SFTPPacketDecoder()
        decoder.append(hex("00000005 01 00000003  00000001"))
        #expect(try decoder.nextPacket() == hex("01 00000003"))
        #expect(try decoder.nextPacket() == nil)
        #expect(decoder.bufferedBytes == 4)
    }

    @Test func oversizedPacketIsRefusedFromItsLength() {
        var decoder = SFTPPacketDecoder()
        #expect(SFTPPacketDecoder.defaultMaximumPacketLength == 263_168)
        // Only the length has arrived; the refusal must not wait for the body.
        decoder.append(hex("00040401"))
        #expect(throws: SFTPError(.badPacketLength, "packet length 263169 exceeds the maximum of 263168")) {
            try decoder.nextPacket()
        }
        var huge = SFTPPacketDecoder()
        huge.append(hex("ffffffff 01"))
        #expect(throws: SFTPError.self) { try huge.nextPacket() }
    }

    @Test func maximumIsInclusiveAndConfigurable() throws {
        var decoder = SFTPPacketDecoder(maximumPacketLength: 10)
        #expect(decoder.maximumPacketLength == 10)
        var packet = ByteBuffer()
        packet.writeInteger(UInt32(10))
        packet.writeRepeatingByte(0x65, count: 10)
        decoder.append(packet)
        #expect(try decoder.nextPacket()?.readableBytes == 10)
        decoder.append(hex("0000000b"))
        #expect(throws: SFTPError(.badPacketLength, "packet length 11 exceeds the maximum of 10")) {
            try decoder.nextPacket()
        }
    }

    @Test func largestDefaultWriteFits() throws {
        // A 256 KiB WRITE with a 256-byte handle: 1 + 4 + 4 + 256 + 8 + 4 + 262144 bytes.
        let write = SFTPRequest.write(
            .init(
                requestID: 1,
                handle: SFTPHandle(bytes: [UInt8](repeating: 7, count: SFTPHandle.maximumLength)),
                offset: 0,
                data: ByteBuffer(repeating: 0xAB, count: 256 * 1024)
            )
        )
        var packet = ByteBuffer()
        packet.writeSFTPPacket(write)
        #expect(packet.readableBytes - 4 == 262_421)
        var decoder = SFTPPacketDecoder()
        decoder.append(packet)
        #expect(try decoder.nextMessage() == .request(write))
    }

    @Test func zeroLengthIsRefused() {
        var decoder = SFTPPacketDecoder()
        decoder.append(hex("00000000"))
        #expect(throws: SFTPError(.badPacketLength, "packet length is zero")) { try decoder.nextPacket() }
    }

    /// A packet whose body does not decode is consumed, so the stream stays in step and a server can
    /// answer it with SSH_FX_BAD_MESSAGE.
    @Test func undecodablePacketIsConsumed() throws {
        var decoder = SFTPPacketDecoder()
        decoder.append(hex("00000009 11 00000007 000000ff  0000000a 10 00000002 00000001 '.'"))
        #expect(throws: SFTPError(.badMessage, "malformed SSH_FXP_STAT", requestID: 7)) { try decoder.nextMessage() }
        #expect(try decoder.nextMessage() == .request(.realpath(.init(requestID: 2, path: "."))))
    }

    /// Unknown types report their request id so that a server can answer SSH_FX_OP_UNSUPPORTED.
    @Test func unknownTypeCarriesTheRequestID() {
        var body = hex("15 0000002a 00000000")
        #expect(throws: SFTPError(.unknownPacketType, "unknown packet type 21", requestID: 42)) {
            try body.readSFTPMessage()
        }
        var short = hex("6a 0000")
        #expect(throws: SFTPError(.unknownPacketType, "unknown packet type 106")) { try short.readSFTPMessage() }
        var empty = ByteBuffer()
        #expect(throws: SFTPError(.badMessage, "empty packet")) { try empty.readSFTPMessage() }
    }

    @Test(arguments: allGoldens)
    func partialWriteLeavesOnlyBulkData(_ golden: Golden) {
        var header = ByteBuffer()
        let rest = header.writeSFTPPacketPartially(golden.message)
        switch golden.message {
        case .request(.write(let write)):
            #expect(rest == write.data)
        case .response(.data(let data)):
            #expect(rest == data.data)
        default:
            #expect(rest == nil)
        }
        if var rest { header.writeBuffer(&rest) }
        #expect(header == golden.packet)
    }

    @Test func encodedLengthsAreReported() {
        var buffer = ByteBuffer()
        buffer.writeString("xx")
        let message = SFTPMessage.request(.stat(.init(requestID: 1, path: "abc")))
        #expect(buffer.writeSFTPPacket(message) == 16)
        #expect(buffer.readableBytes == 18)
        #expect(buffer.writeSFTPMessage(message) == 12)
        #expect(buffer.writeSFTPRequest(.stat(.init(requestID: 1, path: "abc"))) == 12)
        #expect(buffer.writeSFTPResponse(.data(.init(requestID: 1, data: ByteBuffer(string: "abc")))) == 12)
    }
}

extension PacketFramingTests {
    /// A packet that arrives whole in one buffer comes back as a slice of that buffer.
    @Test func wholePacketIsNotCopied() throws {
        let chunk = hex("00000015 06 00000001 00000000 00000000 00000000 00000000")
        var decoder = SFTPPacketDecoder()
        decoder.append(chunk)
        let packet = try #require(try decoder.nextPacket())
        let chunkStart = chunk.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let packetStart = packet.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(packetStart == chunkStart + 4)
    }
}

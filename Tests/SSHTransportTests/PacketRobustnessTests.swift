import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// Tampering, truncation and length checks on inbound packets (RFC 4253 §6, §6.4).
struct PacketRobustnessTests {
    /// Flipping any bit of a packet is detected. A flipped bit in the (possibly encrypted) length field may also
    /// give a length that is rejected or that asks for more bytes; anywhere else it must fail the MAC or tag.
    @Test(arguments: CipherSuite.all)
    func tamperingAnyByteFailsIntegrity(_ suite: CipherSuite) throws {
        let keys = try suite.keys(seed: 9)
        let outbound = try SSHTransportAlgorithms.makeOutbound(cipher: suite.cipher, mac: suite.mac, keys: keys)
        var sealed = ByteBuffer()
        try outbound.seal(samplePayload(37), sequenceNumber: 42, into: &sealed)
        let original = bytes(sealed)
        for index in original.indices {
            for bit in [0, 7] {
                var tampered = original
                tampered[index] ^= 1 << bit
                let inbound = try SSHTransportAlgorithms.makeInbound(
                    cipher: suite.cipher,
                    mac: suite.mac,
                    keys: keys,
                    maximumPacketLength: 35000
                )
                var input = buffer(tampered)
                do {
                    let opened = try inbound.open(&input, sequenceNumber: 42)
                    #expect(index < 4 && opened == nil, "byte \(index) bit \(bit) accepted")
                } catch let error as SSHError {
                    if index < 4 {
                        #expect(error.code == .badPacket || error.code == .macError, "byte \(index): \(error)")
                    } else {
                        #expect(error.code == .macError, "byte \(index): \(error)")
                    }
                }
            }
        }
    }

    /// The sequence number is authenticated by every cipher but aes-gcm (whose nonce is its own counter): a wrong
    /// one fails the MAC, or for chacha20-poly1305 (whose length key stream depends on it) may already give a
    /// rejected length.
    @Test(arguments: CipherSuite.all.filter { !$0.cipher.contains("gcm") })
    func wrongSequenceNumberFailsIntegrity(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair()
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(50), sequenceNumber: 7, into: &wire)
        do {
            let opened = try inbound.open(&wire, sequenceNumber: 8)
            #expect(suite.cipher.hasPrefix("chacha20") && opened == nil, "accepted under the wrong sequence number")
        } catch let error as SSHError {
            #expect(error.code == .macError || (suite.cipher.hasPrefix("chacha20") && error.code == .badPacket))
        }
    }

    /// aes-gcm's invocation counter must stay in step: a dropped packet makes the next one fail.
    @Test(arguments: CipherSuite.all.filter { $0.cipher.contains("gcm") })
    func gcmDroppedPacketFailsIntegrity(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair()
        var dropped = ByteBuffer()
        try outbound.seal(samplePayload(50), sequenceNumber: 0, into: &dropped)
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(50), sequenceNumber: 1, into: &wire)
        expectSSHError(.macError) { _ = try inbound.open(&wire, sequenceNumber: 1) }
    }

    @Test(arguments: CipherSuite.all)
    func wrongKeyFailsIntegrity(_ suite: CipherSuite) throws {
        let (outbound, _) = try suite.pair(seed: 1)
        let (_, inbound) = try suite.pair(seed: 2)
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(64), sequenceNumber: 0, into: &wire)
        var input = wire
        do {
            _ = try inbound.open(&input, sequenceNumber: 0)
            Issue.record("packet under another key accepted")
        } catch let error as SSHError {
            // An encrypted length decrypts to garbage under the wrong key and is usually rejected first.
            #expect(error.code == .macError || error.code == .badPacket)
        }
    }

    /// Bytes arriving one at a time: nil until the packet is whole, then the payload; twice in a row so state
    /// kept between calls (a first block already decrypted) carries on correctly into the next packet.
    @Test(arguments: CipherSuite.all)
    func dripFedByteByByte(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair(seed: 5)
        let payloads = [samplePayload(100, tag: 1), samplePayload(5, tag: 2)]
        var wire = ByteBuffer()
        for (index, payload) in payloads.enumerated() {
            try outbound.seal(payload, sequenceNumber: UInt32(index), into: &wire)
        }
        var input = ByteBuffer()
        var received: [ByteBuffer] = []
        for byte in bytes(wire) {
            input.writeInteger(byte)
            let before = input.readableBytes
            if let payload = try inbound.open(&input, sequenceNumber: UInt32(received.count)) {
                received.append(payload)
            } else {
                #expect(input.readableBytes == before, "input consumed while waiting")
            }
        }
        #expect(received == payloads)
        #expect(input.readableBytes == 0)
    }

    /// Every proper prefix of a packet yields nil and leaves the input untouched.
    @Test(arguments: CipherSuite.all)
    func truncatedInputNeedsMore(_ suite: CipherSuite) throws {
        let (outbound, _) = try suite.pair()
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(33), sequenceNumber: 1, into: &wire)
        for length in 0..<wire.readableBytes {
            let (_, inbound) = try suite.pair()
            var prefix = wire.getSlice(at: 0, length: length)!
            #expect(try inbound.open(&prefix, sequenceNumber: 1) == nil)
            #expect(prefix.readableBytes == length)
        }
    }

    @Test(arguments: CipherSuite.all)
    func oversizePacketIsRejected(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair(maximumPacketLength: 1024)
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(2000), sequenceNumber: 0, into: &wire)
        // Only the first block is needed to see the length.
        var head = wire.getSlice(at: 0, length: 16)!
        expectSSHError(.badPacket) { _ = try inbound.open(&head, sequenceNumber: 0) }
    }

    @Test(arguments: CipherSuite.all)
    func maximumLengthPacketIsAccepted(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair(maximumPacketLength: 1024)
        var wire = ByteBuffer()
        try outbound.seal(samplePayload(1000), sequenceNumber: 0, into: &wire)
        #expect(try inbound.open(&wire, sequenceNumber: 0) == samplePayload(1000))
    }

    /// Lengths that are huge, too short or misaligned are rejected from the clear-text length field.
    @Test(arguments: [UInt32.max, 0x8000_0000, 0, 4, 13, 17])
    func plaintextRejectsBadLengths(_ length: UInt32) {
        let protection = SSHPlaintextProtection(maximumPacketLength: 35000)
        var input = ByteBuffer()
        input.writeInteger(length)
        input.writeRepeatingByte(4, count: 64)
        expectSSHError(.badPacket) { _ = try protection.open(&input, sequenceNumber: 0) }
    }

    @Test(arguments: CipherSuite.all.filter(\.lengthInClear))
    func clearLengthRejectsMisalignedAndOversize(_ suite: CipherSuite) throws {
        for length: UInt32 in [UInt32.max, 1 << 20, 0, 4, 17, 100] {
            let (_, inbound) = try suite.pair(maximumPacketLength: 35000)
            var input = ByteBuffer()
            input.writeInteger(length)
            expectSSHError(.badPacket) { _ = try inbound.open(&input, sequenceNumber: 0) }
        }
    }

    /// padding_length below 4 or beyond the packet is rejected (RFC 4253 §6).
    @Test(arguments: [UInt8(0), 3, 12, 255])
    func plaintextRejectsBadPaddingLength(_ padding: UInt8) {
        let protection = SSHPlaintextProtection()
        var input = ByteBuffer()
        input.writeInteger(UInt32(12))
        input.writeInteger(padding)
        input.writeRepeatingByte(0, count: 11)
        expectSSHError(.badPacket) { _ = try protection.open(&input, sequenceNumber: 0) }
    }

    /// A packet of only padding (empty payload) is accepted.
    @Test func plaintextAcceptsEmptyPayload() throws {
        let protection = SSHPlaintextProtection()
        var input = ByteBuffer()
        input.writeInteger(UInt32(12))
        input.writeInteger(UInt8(11))
        input.writeRepeatingByte(0, count: 11)
        #expect(try protection.open(&input, sequenceNumber: 0) == ByteBuffer())
    }
}

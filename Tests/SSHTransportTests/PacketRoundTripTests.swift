import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// seal → open for every cipher × MAC (RFC 4253 §6).
struct PacketRoundTripTests {
    static let payloadSizes = [0, 1, 7, 15, 16, 17, 31, 100, 1000, 32768]

    @Test(arguments: CipherSuite.all)
    func roundTripsManySizesAndSequenceNumbers(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair()
        // Sequence numbers run on from near the 2^32 wrap, as in a long-lived connection.
        var sequenceNumber: UInt32 = 0xFFFF_FFFD
        for (index, size) in Self.payloadSizes.enumerated() {
            let payload = samplePayload(size, tag: UInt8(index))
            var wire = ByteBuffer()
            try outbound.seal(payload, sequenceNumber: sequenceNumber, into: &wire)
            let opened = try inbound.open(&wire, sequenceNumber: sequenceNumber)
            #expect(opened == payload, "size \(size)")
            #expect(wire.readableBytes == 0)
            sequenceNumber &+= 1
        }
    }

    /// Several packets in one buffer are taken one at a time; the output buffer may already hold data.
    @Test(arguments: CipherSuite.all)
    func opensConsecutivePacketsFromOneBuffer(_ suite: CipherSuite) throws {
        let (outbound, inbound) = try suite.pair(seed: 3)
        var wire = ByteBuffer(bytes: [1, 2, 3])
        wire.moveReaderIndex(forwardBy: 3)
        let payloads = (0..<5).map { samplePayload(40 * $0 + 3, tag: UInt8($0)) }
        for (index, payload) in payloads.enumerated() {
            try outbound.seal(payload, sequenceNumber: UInt32(100 + index), into: &wire)
        }
        for (index, payload) in payloads.enumerated() {
            #expect(try inbound.open(&wire, sequenceNumber: UInt32(100 + index)) == payload)
        }
        #expect(wire.readableBytes == 0)
        #expect(try inbound.open(&wire, sequenceNumber: 105) == nil)
    }

    /// Padding is at least 4 bytes and aligns the packet (the length field excluded for AEAD and etm).
    @Test(arguments: CipherSuite.all)
    func paddingAndAlignment(_ suite: CipherSuite) throws {
        let (outbound, _) = try suite.pair()
        for size in 0..<40 {
            var wire = ByteBuffer()
            try outbound.seal(samplePayload(size), sequenceNumber: 0, into: &wire)
            let packetLength = wire.readableBytes - 4 - suite.trailerLength
            let padding = packetLength - 1 - size
            #expect(padding >= 4 && padding < 4 + suite.alignment, "size \(size): padding \(padding)")
            let aligned = suite.lengthFieldAligned ? packetLength + 4 : packetLength
            #expect(aligned % suite.alignment == 0, "size \(size)")
            if suite.lengthInClear {
                #expect(wire.getInteger(at: 0, as: UInt32.self) == UInt32(packetLength))
            }
        }
    }

    /// Each packet gets fresh random padding, so equal payloads do not give equal packets in "none" either.
    @Test func plaintextPaddingIsRandom() throws {
        let protection = SSHPlaintextProtection()
        var first = ByteBuffer()
        var second = ByteBuffer()
        let payload = samplePayload(3)
        try protection.seal(payload, sequenceNumber: 0, into: &first)
        try protection.seal(payload, sequenceNumber: 0, into: &second)
        #expect(first.readableBytes == 16 && second.readableBytes == 16)
        #expect(first.getBytes(at: 0, length: 8) == second.getBytes(at: 0, length: 8))
        #expect(first.getBytes(at: 8, length: 8) != second.getBytes(at: 8, length: 8))
    }

    @Test func plaintextFramingIsRFC4253() throws {
        let protection = SSHPlaintextProtection()
        var wire = ByteBuffer()
        try protection.seal(buffer([21]), sequenceNumber: 0, into: &wire)
        // 4 + 1 + 1 = 6, padded with 10 to 16: packet_length 12, padding_length 10.
        #expect(wire.readableBytes == 16)
        #expect(wire.getInteger(at: 0, as: UInt32.self) == 12)
        #expect(wire.getInteger(at: 4, as: UInt8.self) == 10)
        #expect(wire.getInteger(at: 5, as: UInt8.self) == 21)
        #expect(try protection.open(&wire, sequenceNumber: 0) == buffer([21]))
    }

    @Test func paddingLengthRule() {
        // RFC 4253 §6 with the length field: (4 + 1 + n + p) % 8 == 0, p >= 4.
        #expect(PacketFraming.paddingLength(payloadLength: 0, blockSize: 8, lengthFieldIncluded: true) == 11)
        #expect(PacketFraming.paddingLength(payloadLength: 3, blockSize: 8, lengthFieldIncluded: true) == 8)
        #expect(PacketFraming.paddingLength(payloadLength: 6, blockSize: 8, lengthFieldIncluded: true) == 5)
        #expect(PacketFraming.paddingLength(payloadLength: 7, blockSize: 8, lengthFieldIncluded: true) == 4)
        #expect(PacketFraming.paddingLength(payloadLength: 8, blockSize: 16, lengthFieldIncluded: true) == 19)
        // Without the length field (AEAD, etm): (1 + n + p) % blockSize == 0.
        #expect(PacketFraming.paddingLength(payloadLength: 0, blockSize: 16, lengthFieldIncluded: false) == 15)
        #expect(PacketFraming.paddingLength(payloadLength: 11, blockSize: 16, lengthFieldIncluded: false) == 4)
        #expect(PacketFraming.paddingLength(payloadLength: 12, blockSize: 16, lengthFieldIncluded: false) == 19)
        #expect(PacketFraming.paddingLength(payloadLength: 3, blockSize: 8, lengthFieldIncluded: false) == 4)
    }

    @Test func keyLengths() throws {
        func lengths(_ cipher: String, _ mac: String?) throws -> [Int] {
            let l = try SSHTransportAlgorithms.keyLengths(cipher: cipher, mac: mac)
            return [l.iv, l.encryption, l.integrity]
        }
        #expect(try lengths("aes128-gcm@openssh.com", "hmac-sha2-512") == [12, 16, 0])
        #expect(try lengths("aes256-gcm@openssh.com", nil) == [12, 32, 0])
        #expect(try lengths("chacha20-poly1305@openssh.com", nil) == [0, 64, 0])
        #expect(try lengths("aes128-ctr", "hmac-sha2-256") == [16, 16, 32])
        #expect(try lengths("aes192-ctr", "hmac-sha2-512-etm@openssh.com") == [16, 24, 64])
        #expect(try lengths("aes256-ctr", "hmac-sha2-256-etm@openssh.com") == [16, 32, 32])
        expectSSHError(.unsupportedAlgorithm) { _ = try lengths("aes256-ctr", nil) }
        expectSSHError(.unsupportedAlgorithm) { _ = try lengths("aes256-ctr", "hmac-sha1") }
        expectSSHError(.unsupportedAlgorithm) { _ = try lengths("3des-cbc", "hmac-sha2-256") }
    }

    @Test func aeadIgnoresMAC() {
        #expect(SSHTransportAlgorithms.isAEAD(cipher: "aes128-gcm@openssh.com"))
        #expect(SSHTransportAlgorithms.isAEAD(cipher: "aes256-gcm@openssh.com"))
        #expect(SSHTransportAlgorithms.isAEAD(cipher: "chacha20-poly1305@openssh.com"))
        #expect(!SSHTransportAlgorithms.isAEAD(cipher: "aes128-ctr"))
    }

    @Test func rejectsWrongKeyLengths() throws {
        let keys = SSHDirectionalKeys(
            initialIV: [UInt8](repeating: 1, count: 16),
            encryptionKey: [UInt8](repeating: 2, count: 16),
            integrityKey: [UInt8](repeating: 3, count: 32)
        )
        expectSSHError(.keyExchangeFailed) {
            _ = try SSHTransportAlgorithms.makeOutbound(cipher: "aes256-ctr", mac: "hmac-sha2-256", keys: keys)
        }
        expectSSHError(.keyExchangeFailed) {
            _ = try SSHTransportAlgorithms.makeInbound(
                cipher: "aes128-ctr",
                mac: "hmac-sha2-512",
                keys: keys,
                maximumPacketLength: 35000
            )
        }
        expectSSHError(.keyExchangeFailed) {
            _ = try SSHTransportAlgorithms.makeOutbound(cipher: "aes128-gcm@openssh.com", mac: nil, keys: keys)
        }
        expectSSHError(.keyExchangeFailed) {
            _ = try SSHTransportAlgorithms.makeOutbound(cipher: "chacha20-poly1305@openssh.com", mac: nil, keys: keys)
        }
        expectSSHError(.unsupportedAlgorithm) {
            _ = try SSHTransportAlgorithms.makeOutbound(cipher: "none", mac: "hmac-sha2-256", keys: keys)
        }
    }
}

import Crypto
import NIOCore
import SSHProtocol
import Testing

@testable import SSHTransport

/// A correctly authenticated packet whose `padding_length` is invalid is still rejected (RFC 4253 §6: at least four
/// bytes of padding, all inside `packet_length`).
struct PaddingValidationTests {
    /// Protects an arbitrary frame (`uint32 packet_length || byte padding_length || rest`) the way the suite would,
    /// using the implementation's primitives, so that only the padding check can fail.
    func protect(
        _ frame: [UInt8],
        suite: CipherSuite,
        keys: SSHDirectionalKeys,
        sequenceNumber: UInt32
    ) throws
        -> [UInt8]
    {
        var packet = frame
        switch suite.cipher {
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
            var nonces = try AESGCMNonceSequence(iv: keys.initialIV)
            let box = try AES.GCM.seal(
                frame[4...],
                using: SymmetricKey(data: keys.encryptionKey),
                nonce: try nonces.next(),
                authenticating: frame[0..<4]
            )
            return Array(frame[0..<4]) + Array(box.ciphertext) + Array(box.tag)
        case "chacha20-poly1305@openssh.com":
            let chacha = try ChaChaPolyKeys(keys.encryptionKey)
            let nonce = try ChaChaPolyKeys.nonce(sequenceNumber: sequenceNumber)
            try packet.withUnsafeMutableBytes { bytes in
                let length = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<4])
                try chacha.cryptLength(UnsafeRawBufferPointer(length), nonce: nonce)
                    .withUnsafeBytes { length.copyMemory(from: $0) }
                let body = UnsafeMutableRawBufferPointer(rebasing: bytes[4...])
                try chacha.cryptPayload(UnsafeRawBufferPointer(body), to: body, nonce: nonce)
            }
            let polyKey = Array(try chacha.polyKey(nonce: nonce))
            let tag = packet.withUnsafeBytes { message in
                polyKey.withUnsafeBytes { Poly1305.authenticate(message: message, key: $0) }
            }
            return packet + tag
        default:
            let algorithm = HMACAlgorithm(name: suite.mac!)!
            let mac = try PacketMAC(algorithm: algorithm, key: keys.integrityKey)
            var keystream = try AESCTRKeystream(key: keys.encryptionKey, iv: keys.initialIV)
            var tag = [UInt8](repeating: 0, count: mac.length)
            try packet.withUnsafeMutableBytes { bytes in
                try tag.withUnsafeMutableBytes { tagBytes in
                    if algorithm.encryptThenMAC {
                        try keystream.apply(inPlace: UnsafeMutableRawBufferPointer(rebasing: bytes[4...]))
                        mac.authenticate(sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(bytes), into: tagBytes)
                    } else {
                        mac.authenticate(sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(bytes), into: tagBytes)
                        try keystream.apply(inPlace: bytes)
                    }
                }
            }
            return packet + tag
        }
    }

    /// A frame with `payload` bytes of payload and `padding` bytes of padding, aligned for the suite, whose
    /// `padding_length` byte says `claimed`.
    func frame(suite: CipherSuite, payload: Int, padding: Int, claimed: UInt8) -> [UInt8] {
        let packetLength = 1 + payload + padding
        let aligned = suite.lengthFieldAligned ? packetLength + 4 : packetLength
        precondition(aligned % suite.alignment == 0)
        var frame: [UInt8] = []
        withUnsafeBytes(of: UInt32(packetLength).bigEndian) { frame += $0 }
        frame.append(claimed)
        frame += [UInt8](repeating: 0x5A, count: payload + padding)
        return frame
    }

    @Test(arguments: CipherSuite.all)
    func rejectsShortOrOversizedPaddingLength(_ suite: CipherSuite) throws {
        let keys = try suite.keys(seed: 11)
        // Payload + padding chosen so the packet is aligned for every suite: 1 + 27 + 4 = 32 (length excluded),
        // 4 + 1 + 23 + 4 = 32 (length included).
        let payload = suite.lengthFieldAligned ? 23 : 27
        for claimed: UInt8 in [0, 3, UInt8(1 + payload + 4), 255] {
            let wire = try self.protect(
                self.frame(suite: suite, payload: payload, padding: 4, claimed: claimed),
                suite: suite,
                keys: keys,
                sequenceNumber: 9
            )
            let inbound = try SSHTransportAlgorithms.makeInbound(
                cipher: suite.cipher,
                mac: suite.mac,
                keys: keys,
                maximumPacketLength: 35000
            )
            var input = buffer(wire)
            expectSSHError(.badPacket) { _ = try inbound.open(&input, sequenceNumber: 9) }
        }
        // The same frame with a valid padding length opens, so the construction above is right.
        let good = try self.protect(
            self.frame(suite: suite, payload: payload, padding: 4, claimed: 4),
            suite: suite,
            keys: keys,
            sequenceNumber: 9
        )
        let inbound = try SSHTransportAlgorithms.makeInbound(
            cipher: suite.cipher,
            mac: suite.mac,
            keys: keys,
            maximumPacketLength: 35000
        )
        var input = buffer(good)
        #expect(try inbound.open(&input, sequenceNumber: 9) == ByteBuffer(repeating: 0x5A, count: payload))
    }
}

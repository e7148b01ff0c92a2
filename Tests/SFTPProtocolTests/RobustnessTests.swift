import NIOCore
import SFTPProtocol
import Testing

/// The decoder must never crash: malformed input throws ``SFTPError``, and whatever decodes survives a
/// re-encode unchanged.
@Suite struct RobustnessTests {
    @Test(arguments: allGoldens)
    func everyProperPrefixThrowsOrParses(_ golden: Golden) {
        for length in 0..<golden.body.readableBytes {
            var prefix = golden.body.prefix(length)
            do {
                let message = try prefix.readSFTPMessage()
                #expect(golden.prefixMayParse, "prefix of \(length) bytes parsed as \(message.packetType)")
                #expect(message.packetType == golden.message.packetType, "prefix of \(length) bytes")
                #expect(message.requestID == golden.message.requestID, "prefix of \(length) bytes")
                #expect(roundTripViolation(golden.body.prefix(length)) == nil)
            } catch {
                #expect(error.code == .badMessage, "prefix of \(length) bytes: \(error)")
                #expect(prefix.readerIndex == 0, "prefix of \(length) bytes moved the reader index")
                if length >= 5 && golden.message.requestID != nil {
                    #expect(error.requestID == golden.message.requestID, "prefix of \(length) bytes: \(error)")
                }
            }
        }
    }

    @Test(arguments: allGoldens)
    func goldenRoundTripsStably(_ golden: Golden) {
        #expect(roundTripViolation(golden.body) == nil)
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededGenerator(seed: 0x5346_5450_4655_5A5A)
        let types = (UInt8(1)...20).map { $0 } + [101, 102, 103, 104, 105, 200, 201]
        var parsed = 0
        for iteration in 0..<6000 {
            var bytes = ByteBuffer()
            // Most inputs start with a defined type, to get past the first byte.
            bytes.writeInteger(
                iteration % 4 == 3
                    ? UInt8.random(in: 0...255, using: &random) : types.randomElement(using: &random)!
            )
            let length = Int.random(in: 0...64, using: &random)
            // Small length fields make it likelier that strings and counts fit.
            for _ in 0..<length {
                bytes.writeInteger(Bool.random(using: &random) ? 0 : UInt8.random(in: 0...255, using: &random))
            }
            if let violation = roundTripViolation(bytes) {
                Issue.record("\(violation) for \(bytes.hexDump)")
            }
            var input = bytes
            if (try? input.readSFTPMessage()) != nil { parsed += 1 }
        }
        #expect(parsed > 100)
    }

    @Test func mutatedGoldensNeverCrash() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<6000 {
            var bytes = Array(allGoldens.randomElement(using: &random)!.body.readableBytesView)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            if let violation = roundTripViolation(ByteBuffer(bytes: bytes)) {
                Issue.record("\(violation) for \(ByteBuffer(bytes: bytes).hexDump)")
            }
        }
    }

    /// Random streams through the packet decoder: it returns packets, waits, or throws, and never
    /// buffers past its limit.
    @Test func randomStreamsThroughTheDecoder() {
        var random = SeededGenerator(seed: 99)
        for _ in 0..<500 {
            var decoder = SFTPPacketDecoder(maximumPacketLength: 64)
            var failed = false
            for _ in 0..<20 where !failed {
                var chunk = ByteBuffer()
                for _ in 0..<Int.random(in: 0...24, using: &random) {
                    chunk.writeInteger(
                        Bool.random(using: &random)
                            ? UInt8.random(in: 0...8, using: &random) : .random(in: 0...255, using: &random)
                    )
                }
                decoder.append(chunk)
                do {
                    while var packet = try decoder.nextPacket() {
                        #expect(packet.readableBytes <= 64)
                        _ = try? packet.readSFTPMessage()
                    }
                    #expect(decoder.bufferedBytes <= 4 + 64)
                } catch {
                    #expect(error.code == .badPacketLength)
                    failed = true
                }
            }
        }
    }

    /// Every typed extension payload, decoded from random bytes, either fails or round-trips.
    @Test func randomExtensionPayloadsNeverCrash() throws {
        var random = SeededGenerator(seed: 2024)
        let names = SFTPExtensions.openSSHAdvertisement.map(\.name)
        for _ in 0..<4000 {
            var payload = ByteBuffer()
            for _ in 0..<Int.random(in: 0...48, using: &random) {
                payload.writeInteger(Bool.random(using: &random) ? 0 : UInt8.random(in: 0...255, using: &random))
            }
            let request = SFTPRequest.Extended(
                requestID: 1,
                name: names.randomElement(using: &random)!,
                payload: payload
            )
            guard let typed = try? SFTPExtendedRequest(request) else { continue }
            let again = typed.request(id: 1)
            #expect(try SFTPExtendedRequest(again) == typed)
            var statvfsInput = payload
            _ = SFTPExtensions.StatVFSReply.read(from: &statvfsInput)
            var limitsInput = payload
            _ = SFTPExtensions.LimitsReply.read(from: &limitsInput)
            var input = payload
            if let names = SFTPExtensions.UsersGroupsByIDReply.read(from: &input) {
                var written = ByteBuffer()
                names.write(to: &written)
                var reread = written
                #expect(SFTPExtensions.UsersGroupsByIDReply.read(from: &reread) == names)
            }
        }
    }
}

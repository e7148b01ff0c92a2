import Foundation
import NIOCore
import SSHProtocol
import Testing

/// The decoder must never crash: malformed input throws `SSHError(.protocolError)`, and whatever parses
/// survives a re-encode unchanged.
@Suite struct RobustnessTests {
    @Test(arguments: allGoldens)
    func everyProperPrefixThrowsOrParses(_ golden: Golden) {
        let bytes = golden.encoding
        for length in 0..<bytes.readableBytes {
            var prefix = bytes.getSlice(at: bytes.readerIndex, length: length)!
            do {
                let message = try prefix.readSSHMessage()
                #expect(golden.prefixMayParse, "prefix of \(length) bytes parsed as \(message.name)")
                #expect(message.number == golden.message.number, "prefix of \(length) bytes")
                #expect(roundTripViolation(bytes.getSlice(at: bytes.readerIndex, length: length)!) == nil)
            } catch let error as SSHError {
                #expect(error.code == .protocolError, "prefix of \(length) bytes: \(error)")
            } catch {
                Issue.record("prefix of \(length) bytes threw \(error)")
            }
        }
    }

    @Test(arguments: allGoldens)
    func goldenRoundTripsStably(_ golden: Golden) {
        #expect(roundTripViolation(golden.encoding) == nil)
    }

    @Test func randomBytesNeverCrash() {
        var random = SeededGenerator(seed: 0x5353_485F_4655_5A5A)
        // Half the inputs start with a message number the codec interprets, to get past the first byte.
        let numbers = TransportMessagesTests.knownNumbers.sorted()
        var parsed = 0
        for iteration in 0..<4000 {
            var bytes = ByteBuffer()
            bytes.writeInteger(
                iteration.isMultiple(of: 2)
                    ? numbers.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            )
            let length = Int.random(in: 0...64, using: &random)
            bytes.writeBytes((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) })
            if let violation = roundTripViolation(bytes) {
                Issue.record("\(violation) for \(bytes.hexDump)")
            }
            var input = bytes
            if (try? input.readSSHMessage()) != nil { parsed += 1 }
        }
        #expect(parsed > 0)
    }

    @Test func mutatedGoldensNeverCrash() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<4000 {
            var bytes = Array(allGoldens.randomElement(using: &random)!.encoding.readableBytesView)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                default: if bytes.count > 1 { bytes.remove(at: index) }
                }
            }
            let buffer = ByteBuffer(bytes: bytes)
            if let violation = roundTripViolation(buffer) {
                Issue.record("\(violation) for \(buffer.hexDump)")
            }
        }
    }

    @Test func hugeLengthsAreRejected() {
        for number in TransportMessagesTests.knownNumbers {
            var bytes = ByteBuffer(bytes: [number])
            bytes.writeBytes([UInt8](repeating: 0xFF, count: 24))
            #expect(roundTripViolation(bytes) == nil)
        }
    }

    /// The fuzzing corpus (one raw message payload a file), replayed with the fuzzer's own check.
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    @Test func fuzzCorpusReplays() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
        #expect(files.count >= allGoldens.count)
        for file in files {
            let bytes = ByteBuffer(bytes: try Data(contentsOf: file))
            #expect(roundTripViolation(bytes) == nil, "\(file.lastPathComponent)")
        }
    }

    @Test func fuzzCorpusHoldsEveryGolden() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
        let inputs = Set(try files.map { try Data(contentsOf: $0) })
        let missing = allGoldens.filter { !inputs.contains(Data($0.encoding.readableBytesView)) }.map(\.name)
        #expect(missing.isEmpty, "missing from the corpus (run with FERRY_WRITE_FUZZ_CORPUS=1 to add): \(missing)")
    }

    /// Writes every golden message into the fuzzing corpus, named after the message.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FERRY_WRITE_FUZZ_CORPUS"] != nil))
    func writeFuzzCorpus() throws {
        try FileManager.default.createDirectory(at: Self.corpus, withIntermediateDirectories: true)
        for golden in allGoldens {
            let words = golden.name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
            let file = Self.corpus.appendingPathComponent("golden-\(words.joined(separator: "-")).bin")
            try Data(golden.encoding.readableBytesView).write(to: file)
        }
    }
}

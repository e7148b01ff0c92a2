import NIOCore
import SSHProtocol
import Testing

/// Bytes from hex digits; whitespace is ignored so fields can be written apart.
func hex(_ digits: String) -> ByteBuffer {
    let nibbles = digits.unicodeScalars.filter { !$0.properties.isWhitespace }.map { scalar -> UInt8 in
        guard let value = UInt8(String(scalar), radix: 16) else { preconditionFailure("not hex: \(scalar)") }
        return value
    }
    precondition(nibbles.count % 2 == 0, "odd number of hex digits")
    var buffer = ByteBuffer()
    for index in stride(from: 0, to: nibbles.count, by: 2) {
        buffer.writeInteger(nibbles[index] << 4 | nibbles[index + 1])
    }
    return buffer
}

extension ByteBuffer {
    /// The readable bytes as lowercase hex, for readable failure messages.
    var hexDump: String {
        self.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// One message with its expected encoding, written by hand from the RFC layout.
struct Golden: Sendable, CustomTestStringConvertible {
    var name: String
    var message: SSHMessage
    var encoding: ByteBuffer
    /// Whether a proper prefix may still parse: the message ends in optional fields or raw data.
    var prefixMayParse: Bool

    init(_ name: String, _ message: SSHMessage, _ digits: String, prefixMayParse: Bool = false) {
        self.name = name
        self.message = message
        self.encoding = hex(digits)
        self.prefixMayParse = prefixMayParse
    }

    var testDescription: String { self.name }
}

/// Every golden message, for the tests that run over all of them.
let allGoldens: [Golden] = transportGoldens + userAuthGoldens + connectionGoldens

/// Encodes `message` into a fresh buffer.
func encode(_ message: SSHMessage) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeSSHMessage(message)
    return buffer
}

/// Decodes `bytes` as one message and checks the whole payload was consumed.
func decode(_ bytes: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) throws -> SSHMessage {
    var buffer = bytes
    let message = try buffer.readSSHMessage()
    #expect(buffer.readableBytes == 0, "unread bytes: \(buffer.hexDump)", sourceLocation: sourceLocation)
    return message
}

/// Checks the encoder and decoder against a golden message, both ways.
func checkGolden(_ golden: Golden, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let written = encode(golden.message)
    #expect(
        written == golden.encoding,
        "wrote \(written.hexDump), expected \(golden.encoding.hexDump)",
        sourceLocation: sourceLocation
    )
    #expect(
        try decode(golden.encoding, sourceLocation: sourceLocation) == golden.message,
        sourceLocation: sourceLocation
    )
}

/// What decoding arbitrary bytes may do: throw a protocol error, or give a message that re-encodes
/// to bytes which decode to the same message and encode to the same bytes again.
///
/// - Returns: a description of the first violation, or `nil`.
func roundTripViolation(_ bytes: ByteBuffer) -> String? {
    var input = bytes
    let message: SSHMessage
    do {
        message = try input.readSSHMessage()
    } catch let error as SSHError {
        return error.code == .protocolError ? nil : "unexpected error code: \(error)"
    } catch {
        return "unexpected error type: \(error)"
    }
    let encoded = encode(message)
    var again = encoded
    guard let reparsed = try? again.readSSHMessage() else { return "re-encoded \(message.name) does not parse" }
    if reparsed != message { return "\(message.name) changed in a round trip" }
    if again.readableBytes != 0 { return "re-encoded \(message.name) has \(again.readableBytes) unread bytes" }
    if encode(reparsed) != encoded { return "\(message.name) encoding is not stable" }
    return nil
}

/// A small seeded generator (SplitMix64) so random tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

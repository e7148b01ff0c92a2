import NIOCore
import SFTPProtocol
import Testing

/// Bytes from hex digits, written field by field: whitespace is ignored, and text between single
/// quotes stands for its ASCII bytes (`'foo'` is `666f6f`), so string fields stay readable.
func hex(_ digits: String) -> ByteBuffer {
    var buffer = ByteBuffer()
    var pending: UInt8? = nil
    var quoted = false
    for scalar in digits.unicodeScalars {
        if scalar == "'" {
            precondition(pending == nil, "odd number of hex digits before a quote")
            quoted.toggle()
            continue
        }
        if quoted {
            precondition(scalar.isASCII, "quoted text must be ASCII")
            buffer.writeInteger(UInt8(scalar.value))
            continue
        }
        if scalar.properties.isWhitespace { continue }
        guard let nibble = UInt8(String(scalar), radix: 16) else { preconditionFailure("not hex: \(scalar)") }
        if let high = pending {
            buffer.writeInteger(high << 4 | nibble)
            pending = nil
        } else {
            pending = nibble
        }
    }
    precondition(pending == nil && !quoted, "odd number of hex digits or unclosed quote")
    return buffer
}

extension ByteBuffer {
    /// The readable bytes as lowercase hex, for readable failure messages.
    var hexDump: String {
        self.readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// A copy of the readable bytes' first `length` bytes.
    func prefix(_ length: Int) -> ByteBuffer {
        self.getSlice(at: self.readerIndex, length: length)!
    }
}

/// One message with its expected packet body (type, request id, fields), written by hand from the
/// layouts of draft-ietf-secsh-filexfer-02 and OpenSSH's PROTOCOL.
struct Golden: Sendable, CustomTestStringConvertible {
    var name: String
    var message: SFTPMessage
    var body: ByteBuffer
    /// Whether a proper prefix may still decode: the message ends in raw data, extension pairs or the
    /// optional strings of STATUS.
    var prefixMayParse: Bool

    init(_ name: String, _ message: SFTPMessage, _ digits: String, prefixMayParse: Bool = false) {
        self.name = name
        self.message = message
        self.body = hex(digits)
        self.prefixMayParse = prefixMayParse
    }

    init(_ name: String, _ request: SFTPRequest, _ digits: String, prefixMayParse: Bool = false) {
        self.init(name, .request(request), digits, prefixMayParse: prefixMayParse)
    }

    init(_ name: String, _ response: SFTPResponse, _ digits: String, prefixMayParse: Bool = false) {
        self.init(name, .response(response), digits, prefixMayParse: prefixMayParse)
    }

    /// The whole packet: the body with its `uint32 length` in front.
    var packet: ByteBuffer {
        var packet = ByteBuffer()
        packet.writeInteger(UInt32(self.body.readableBytes))
        packet.writeImmutableBuffer(self.body)
        return packet
    }

    var testDescription: String { self.name }
}

/// Every golden message, for the tests that run over all of them.
let allGoldens: [Golden] = requestGoldens + responseGoldens + extensionGoldens

/// Encodes `message` as a packet body into a fresh buffer.
func encode(_ message: SFTPMessage) -> ByteBuffer {
    var buffer = ByteBuffer()
    let written = buffer.writeSFTPMessage(message)
    #expect(written == buffer.readableBytes)
    return buffer
}

/// Decodes `bytes` as one packet body and checks the whole body was consumed.
func decode(_ bytes: ByteBuffer, sourceLocation: SourceLocation = #_sourceLocation) throws -> SFTPMessage {
    var buffer = bytes
    let message = try buffer.readSFTPMessage()
    #expect(buffer.readableBytes == 0, "unread bytes: \(buffer.hexDump)", sourceLocation: sourceLocation)
    return message
}

/// Checks the encoder and the decoder against a golden message, both ways, and the framing.
func checkGolden(_ golden: Golden, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let written = encode(golden.message)
    #expect(
        written == golden.body,
        "wrote \(written.hexDump), expected \(golden.body.hexDump)",
        sourceLocation: sourceLocation
    )
    #expect(try decode(golden.body, sourceLocation: sourceLocation) == golden.message, sourceLocation: sourceLocation)
    #expect(golden.body.getInteger(at: 0, as: UInt8.self) == golden.message.packetType.rawValue)

    var framed = ByteBuffer()
    let framedLength = framed.writeSFTPPacket(golden.message)
    #expect(framed == golden.packet, "framed \(framed.hexDump)", sourceLocation: sourceLocation)
    #expect(framedLength == golden.packet.readableBytes, sourceLocation: sourceLocation)
}

/// What decoding arbitrary bytes may do: throw an ``SFTPError``, or give a message that re-encodes
/// to bytes which decode to the same message and encode to the same bytes again.
///
/// - Returns: a description of the first violation, or `nil`.
func roundTripViolation(_ bytes: ByteBuffer) -> String? {
    var input = bytes
    let message: SFTPMessage
    do {
        message = try input.readSFTPMessage()
    } catch {
        if input != bytes { return "a failed decode moved the reader index" }
        if error.code == .badPacketLength || error.code == .wrongExtension {
            return "unexpected error code: \(error)"
        }
        return nil
    }
    let encoded = encode(message)
    var again = encoded
    guard let reparsed = try? again.readSFTPMessage() else { return "re-encoded \(message.packetType) does not parse" }
    if reparsed != message { return "\(message.packetType) changed in a round trip" }
    if again.readableBytes != 0 { return "re-encoded \(message.packetType) has \(again.readableBytes) unread bytes" }
    if encode(reparsed) != encoded { return "\(message.packetType) encoding is not stable" }
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

/// The handle used throughout the goldens: the two bytes `h1`.
let h1 = SFTPHandle(bytes: Array("h1".utf8))

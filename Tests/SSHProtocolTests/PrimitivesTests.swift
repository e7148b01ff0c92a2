import NIOCore
import SSHProtocol
import Testing

/// RFC 4251 §5 data types.
@Suite struct PrimitivesTests {
    // MARK: string

    @Test func stringMatchesRFCExample() {
        var buffer = ByteBuffer()
        #expect(buffer.writeSSHString("testing") == 11)
        #expect(buffer == hex("00000007 74657374696e67"))
        #expect(buffer.readSSHText() == "testing")
        #expect(buffer.readableBytes == 0)
    }

    @Test func emptyString() {
        var buffer = ByteBuffer()
        buffer.writeSSHString([UInt8]())
        #expect(buffer == hex("00000000"))
        #expect(buffer.readSSHStringBytes() == [])
        #expect(buffer.readableBytes == 0)
    }

    @Test func stringKeepsArbitraryBytes() {
        var buffer = hex("00000004 00ff0a80 99")
        #expect(buffer.readSSHStringBytes() == [0x00, 0xFF, 0x0A, 0x80])
        #expect(buffer.readableBytes == 1)
    }

    @Test func stringFromBufferAndBody() {
        var buffer = ByteBuffer()
        buffer.writeSSHString(hex("0102"))
        let written = buffer.writeSSHString { inner in
            inner.writeSSHString("ab")
            inner.writeInteger(UInt8(7))
        }
        #expect(written == 11)
        #expect(buffer == hex("00000002 0102  00000007 00000002 6162 07"))
    }

    @Test func textRejectsInvalidUTF8() {
        var buffer = hex("00000002 c328")
        #expect(buffer.readSSHText() == nil)
        #expect(buffer.readerIndex == 0)
        // The same bytes are still a valid string.
        #expect(buffer.readSSHStringBytes() == [0xC3, 0x28])
    }

    @Test func textIsUTF8() {
        var buffer = ByteBuffer()
        buffer.writeSSHString("é✓")
        #expect(buffer == hex("00000005 c3a9 e29c93"))
        #expect(buffer.readSSHText() == "é✓")
    }

    // MARK: boolean

    @Test func booleanEncoding() {
        var buffer = ByteBuffer()
        buffer.writeSSHBoolean(false)
        buffer.writeSSHBoolean(true)
        #expect(buffer == hex("00 01"))
    }

    @Test(arguments: [(UInt8(0), false), (1, true), (2, true), (0x80, true), (0xFF, true)])
    func booleanReadsAnyNonZeroAsTrue(byte: UInt8, expected: Bool) {
        var buffer = ByteBuffer(bytes: [byte])
        #expect(buffer.readSSHBoolean() == expected)
        #expect(buffer.readableBytes == 0)
    }

    // MARK: name-list

    @Test(arguments: [
        ([String](), "00000000"),
        (["zlib"], "00000004 7a6c6962"),
        (["zlib", "none"], "00000009 7a6c69622c6e6f6e65"),
    ])
    func nameListMatchesRFCExamples(names: [String], digits: String) {
        var buffer = ByteBuffer()
        buffer.writeSSHNameList(names)
        #expect(buffer == hex(digits))
        #expect(buffer.readSSHNameList() == names)
        #expect(buffer.readableBytes == 0)
    }

    @Test(arguments: [
        "00000002 2c2c",  // ","
        "00000001 2c",  // ","
        "00000005 7a6c69622c",  // "zlib,"
        "00000005 2c7a6c6962",  // ",zlib"
        "0000000a 7a6c69622c2c6e6f6e65",  // "zlib,,none"
        "00000005 7a6cc3a962",  // "zléb"
        "00000004 7a6c80ff",  // not UTF-8 at all
        "00000009 7a6c6962206e6f6e65",  // "zlib none": space is not allowed in a name
        "00000005 7a6c69620a",  // control character
        "00000004 7a6c697f",  // DEL
        "00000001 00",  // NUL
    ])
    func nameListRejectsMalformedNames(digits: String) {
        var buffer = hex(digits)
        #expect(buffer.readSSHNameList() == nil)
        #expect(buffer.readerIndex == 0)
    }

    // MARK: mpint

    @Test(arguments: [
        ([UInt8](), "00000000"),
        ([0x09, 0xA3, 0x78, 0xF9, 0xB2, 0xE3, 0x32, 0xA7], "00000008 09a378f9b2e332a7"),
        ([0x80], "00000002 0080"),
        ([0x7F], "00000001 7f"),
        ([0xFF, 0xFF], "00000003 00ffff"),
    ])
    func mpintMatchesRFCExamples(magnitude: [UInt8], digits: String) {
        var buffer = ByteBuffer()
        buffer.writeSSHUnsignedMPInt(magnitude)
        #expect(buffer == hex(digits))
        #expect(buffer.readSSHUnsignedMPInt() == magnitude)
        #expect(buffer.readableBytes == 0)
    }

    @Test func mpintWriterStripsLeadingZeros() {
        var buffer = ByteBuffer()
        buffer.writeSSHUnsignedMPInt([0x00, 0x00, 0x12, 0x34])
        buffer.writeSSHUnsignedMPInt([0x00, 0x00])
        buffer.writeSSHUnsignedMPInt([0x00, 0x80])
        #expect(buffer == hex("00000002 1234  00000000  00000002 0080"))
    }

    @Test(arguments: [
        "00000002 edcc",  // -1234 (RFC 4251 §5)
        "00000005 ff21524111",  // -deadbeef (RFC 4251 §5)
        "00000001 80",  // -128
        "00000001 ff",  // -1
        "00000001 00",  // zero must be the empty string
        "00000002 0000",
        "00000002 007f",  // the leading zero is only allowed before a byte with the top bit set
        "00000003 000080",
        "00000009 0009a378f9b2e332a7",
    ])
    func mpintRejectsNegativeAndNonMinimalEncodings(digits: String) {
        var buffer = hex(digits)
        #expect(buffer.readSSHUnsignedMPInt() == nil)
        #expect(buffer.readerIndex == 0)
    }

    // MARK: truncation

    enum Reader: String, CaseIterable, CustomTestStringConvertible {
        case string, stringBytes, text, boolean, nameList, mpint

        /// A complete, valid encoding for this reader.
        var valid: ByteBuffer {
            switch self {
            case .string, .stringBytes, .text: return hex("00000007 74657374696e67")
            case .boolean: return hex("01")
            case .nameList: return hex("00000009 7a6c69622c6e6f6e65")
            case .mpint: return hex("00000008 09a378f9b2e332a7")
            }
        }

        /// Reads one value; `nil` on failure.
        func read(_ buffer: inout ByteBuffer) -> Any? {
            switch self {
            case .string: return buffer.readSSHString()
            case .stringBytes: return buffer.readSSHStringBytes()
            case .text: return buffer.readSSHText()
            case .boolean: return buffer.readSSHBoolean()
            case .nameList: return buffer.readSSHNameList()
            case .mpint: return buffer.readSSHUnsignedMPInt()
            }
        }

        var testDescription: String { self.rawValue }
    }

    @Test(arguments: Reader.allCases)
    func truncatedValueReturnsNilAndKeepsReaderIndex(reader: Reader) {
        let valid = reader.valid
        for length in 0..<valid.readableBytes {
            // Start past some bytes already read, so a reset to zero would be noticed.
            var buffer = hex("aabb")
            buffer.writeImmutableBuffer(valid.getSlice(at: valid.readerIndex, length: length)!)
            buffer.moveReaderIndex(forwardBy: 2)
            #expect(reader.read(&buffer) == nil, "prefix of \(length) bytes")
            #expect(buffer.readerIndex == 2, "prefix of \(length) bytes")
        }
        var whole = valid
        #expect(reader.read(&whole) != nil)
        #expect(whole.readableBytes == 0)
    }

    @Test func hugeStringLengthIsTruncation() {
        var buffer = hex("ffffffff 0102")
        #expect(buffer.readSSHString() == nil)
        #expect(buffer.readerIndex == 0)
    }
}

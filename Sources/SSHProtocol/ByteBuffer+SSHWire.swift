import NIOCore

// RFC 4251 §5: the data type representations used by every SSH message.
//
// Every `read…` returns `nil` and leaves the reader index where it was when the buffer does not
// hold a complete, well-formed value, so callers can treat `nil` as "malformed or truncated".
extension ByteBuffer {
    /// Reads a `boolean` (RFC 4251 §5): any non-zero byte is `true`.
    public mutating func readSSHBoolean() -> Bool? {
        self.readInteger(as: UInt8.self).map { $0 != 0 }
    }

    /// Writes a `boolean` as 0 or 1.
    @discardableResult
    public mutating func writeSSHBoolean(_ value: Bool) -> Int {
        self.writeInteger(value ? UInt8(1) : UInt8(0))
    }

    /// Reads a `string` (RFC 4251 §5): a `uint32` length followed by that many bytes.
    ///
    /// - Returns: a slice sharing storage with this buffer, or `nil` when the length runs past the end.
    public mutating func readSSHString() -> ByteBuffer? {
        let save = self.readerIndex
        guard let length = self.readInteger(as: UInt32.self),
            let slice = self.readSlice(length: Int(length))
        else {
            self.moveReaderIndex(to: save)
            return nil
        }
        return slice
    }

    /// Reads a `string` as raw bytes.
    public mutating func readSSHStringBytes() -> [UInt8]? {
        guard var slice = self.readSSHString() else { return nil }
        return slice.readBytes(length: slice.readableBytes)
    }

    /// Reads a `string` that must hold UTF-8 text (RFC 4251 §5 uses ISO-10646 UTF-8 for text).
    ///
    /// - Returns: `nil` when truncated or when the bytes are not valid UTF-8.
    public mutating func readSSHText() -> String? {
        let save = self.readerIndex
        guard let slice = self.readSSHString() else { return nil }
        guard let text = String(validating: slice.readableBytesView, as: UTF8.self) else {
            self.moveReaderIndex(to: save)
            return nil
        }
        return text
    }

    /// Writes a `string` from bytes.
    @discardableResult
    public mutating func writeSSHString<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        var written = self.writeInteger(UInt32(bytes.count))
        written += self.writeBytes(bytes)
        return written
    }

    /// Writes a `string` from the readable bytes of another buffer.
    @discardableResult
    public mutating func writeSSHString(_ buffer: ByteBuffer) -> Int {
        var written = self.writeInteger(UInt32(buffer.readableBytes))
        written += self.writeImmutableBuffer(buffer)
        return written
    }

    /// Writes a `string` holding UTF-8 text.
    @discardableResult
    public mutating func writeSSHString(_ text: String) -> Int {
        self.writeSSHString(text.utf8)
    }

    /// Writes a `string` whose contents are produced by `body`, back-filling the length.
    @discardableResult
    public mutating func writeSSHString(_ body: (inout ByteBuffer) throws -> Void) rethrows -> Int {
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt32(0))
        try body(&self)
        let length = self.writerIndex - lengthIndex - 4
        self.setInteger(UInt32(length), at: lengthIndex)
        return length + 4
    }

    /// Reads a `name-list` (RFC 4251 §5): comma-separated US-ASCII names in a `string`.
    ///
    /// An empty string is the empty list. Empty names (",," or a trailing comma) are malformed.
    public mutating func readSSHNameList() -> [String]? {
        let save = self.readerIndex
        guard let slice = self.readSSHString() else { return nil }
        if slice.readableBytes == 0 { return [] }
        var names: [String] = []
        for part in slice.readableBytesView.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                self.moveReaderIndex(to: save)
                return nil
            }
            names.append(String(decoding: part, as: UTF8.self))
        }
        return names
    }

    /// Writes a `name-list`.
    @discardableResult
    public mutating func writeSSHNameList(_ names: [String]) -> Int {
        self.writeSSHString(names.joined(separator: ","))
    }

    /// Reads an `mpint` (RFC 4251 §5) that must be non-negative.
    ///
    /// - Returns: the magnitude, big-endian, without leading zero bytes (empty for zero); `nil` when
    ///   truncated, negative, or not minimally encoded.
    public mutating func readSSHUnsignedMPInt() -> [UInt8]? {
        let save = self.readerIndex
        guard let bytes = self.readSSHStringBytes() else { return nil }
        if bytes.isEmpty { return [] }
        // Negative numbers have the top bit set; a leading zero byte is only allowed before such a byte.
        if bytes[0] & 0x80 != 0 || (bytes[0] == 0 && (bytes.count == 1 || bytes[1] & 0x80 == 0)) {
            self.moveReaderIndex(to: save)
            return nil
        }
        return bytes[0] == 0 ? Array(bytes.dropFirst()) : bytes
    }

    /// Writes a non-negative `mpint` from its big-endian magnitude (leading zeros are stripped and a
    /// zero byte is prefixed when the top bit is set, as RFC 4251 §5 requires).
    @discardableResult
    public mutating func writeSSHUnsignedMPInt<Bytes: Collection>(_ magnitude: Bytes) -> Int
    where Bytes.Element == UInt8 {
        let trimmed = magnitude.drop(while: { $0 == 0 })
        guard let first = trimmed.first else { return self.writeInteger(UInt32(0)) }
        if first & 0x80 != 0 {
            var written = self.writeInteger(UInt32(trimmed.count + 1))
            written += self.writeInteger(UInt8(0))
            written += self.writeBytes(trimmed)
            return written
        }
        var written = self.writeInteger(UInt32(trimmed.count))
        written += self.writeBytes(trimmed)
        return written
    }
}

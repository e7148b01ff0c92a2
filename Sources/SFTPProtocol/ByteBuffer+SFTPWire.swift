import NIOCore

// draft-ietf-secsh-filexfer-02 §3 uses the SSH data types (RFC 4251 §5): `uint32`, `uint64` and
// `string`. These helpers are internal; each `read…` returns `nil` on truncation, and the message
// readers turn `nil` into `SFTPError.Code.badMessage`.
extension ByteBuffer {
    /// Reads a `string` as a slice sharing storage with this buffer.
    mutating func readSFTPString() -> ByteBuffer? {
        let save = self.readerIndex
        guard let length = self.readInteger(as: UInt32.self),
            let slice = self.readSlice(length: Int(length))
        else {
            self.moveReaderIndex(to: save)
            return nil
        }
        return slice
    }

    /// Reads a `string` as a copied byte array.
    mutating func readSFTPBytes() -> [UInt8]? {
        guard let slice = self.readSFTPString() else { return nil }
        return Array(slice.readableBytesView)
    }

    /// Reads a `string` of human-readable text, replacing invalid UTF-8 rather than failing: a peer's
    /// bad encoding of a message or a display name must not make the whole packet unreadable.
    mutating func readSFTPText() -> String? {
        self.readSFTPString().map { String(decoding: $0.readableBytesView, as: UTF8.self) }
    }

    /// Reads a `string` holding a file name, byte for byte.
    mutating func readSFTPPath() -> SFTPPath? {
        self.readSFTPBytes().map(SFTPPath.init(bytes:))
    }

    /// Reads a `string` holding a file handle.
    mutating func readSFTPHandle() -> SFTPHandle? {
        self.readSFTPBytes().map(SFTPHandle.init(bytes:))
    }

    /// Writes a `string` from bytes.
    @discardableResult
    mutating func writeSFTPString<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        self.writeInteger(UInt32(truncatingIfNeeded: bytes.count)) + self.writeBytes(bytes)
    }

    /// Writes a `string` from the readable bytes of another buffer, without copying them twice.
    @discardableResult
    mutating func writeSFTPString(_ buffer: ByteBuffer) -> Int {
        self.writeInteger(UInt32(truncatingIfNeeded: buffer.readableBytes)) + self.writeImmutableBuffer(buffer)
    }

    /// Writes a `string` of UTF-8 text.
    @discardableResult
    mutating func writeSFTPString(_ text: String) -> Int {
        self.writeSFTPString(text.utf8)
    }

    /// Writes a `string` holding a file name.
    @discardableResult
    mutating func writeSFTPPath(_ path: SFTPPath) -> Int {
        self.writeSFTPString(path.bytes)
    }

    /// Writes a `string` holding a file handle.
    @discardableResult
    mutating func writeSFTPHandle(_ handle: SFTPHandle) -> Int {
        self.writeSFTPString(handle.bytes)
    }

    /// Writes a `string` whose contents `body` produces, back-filling the length.
    @discardableResult
    mutating func writeSFTPString(_ body: (inout ByteBuffer) -> Void) -> Int {
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt32(0))
        body(&self)
        let length = self.writerIndex - lengthIndex - 4
        self.setInteger(UInt32(truncatingIfNeeded: length), at: lengthIndex)
        return length + 4
    }

    /// Runs `body`, which reads one value; when it fails, restores the reader index and throws
    /// `badMessage` naming `what`.
    mutating func readSFTPValue<T>(
        _ what: String,
        requestID: UInt32? = nil,
        _ body: (inout ByteBuffer) -> T?
    ) throws(SFTPError) -> T {
        let save = self.readerIndex
        guard let value = body(&self) else {
            self.moveReaderIndex(to: save)
            throw SFTPError(.badMessage, "malformed \(what)", requestID: requestID)
        }
        return value
    }
}

import NIOCore

/// A file being built by ``RandomAccessWriting``. Writes may arrive in any order and concurrently.
///
/// Nothing is visible under the file's name until ``publish()``. After ``publish()`` or ``abort()`` every
/// call throws.
public protocol RandomAccessWriteHandle: AnyObject, Sendable {
    /// Writes bytes at an offset, extending the file (with zeros in any gap) if needed.
    ///
    /// - Parameters:
    ///   - bytes: The bytes to write.
    ///   - offset: Where the first byte goes.
    /// - Throws: `FerryError` (`noSpace`…).
    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws

    /// Reads back up to `count` bytes of what has been written so far.
    ///
    /// - Parameters:
    ///   - offset: The first byte to read.
    ///   - count: The most bytes to return.
    /// - Returns: The bytes: fewer than `count` only at the end, none past it.
    /// - Throws: `FerryError`.
    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer

    /// Returns the current size of the file being built.
    ///
    /// - Returns: Its size in bytes.
    /// - Throws: `FerryError`.
    func size() async throws -> UInt64

    /// Cuts or extends (with zeros) the file being built.
    ///
    /// - Parameter size: The new size in bytes.
    /// - Throws: `FerryError`.
    func truncate(to size: UInt64) async throws

    /// Makes what has been written so far durable, where the backend can.
    ///
    /// - Throws: `FerryError` (`ioError`…).
    func sync() async throws

    /// Makes the file durable and visible under its name in one atomic step, replacing what was there.
    ///
    /// - Throws: `FerryError` (`isADirectory` if a directory took the name meanwhile…). After a
    ///   failed publish nothing is left behind.
    func publish() async throws

    /// Discards the file; nothing appears under its name and what was there stays.
    ///
    /// - Throws: `FerryError` if clean-up failed.
    func abort() async throws
}

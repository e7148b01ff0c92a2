import FerryCore
import NIOCore

/// A backend that can open a file once and read it many times, so a download sees one version of the file
/// from start to end even when the name is replaced meanwhile (as an atomic upload does), and pays the path
/// resolution once.
///
/// Backends without it are read by path, one ``Storage/read(_:at:count:)`` per request.
public protocol ReadHandleOpening: Storage {
    /// Opens a regular file for reading, following a final symbolic link inside the root.
    ///
    /// - Parameter path: The file.
    /// - Returns: The open file.
    /// - Throws: ``FerryError`` (`notFound`, `isADirectory`, `permissionDenied`…).
    func openForReading(_ path: FerryPath) async throws -> any ReadHandle
}

/// One file open for reading.
public protocol ReadHandle: AnyObject, Sendable {
    /// Reads up to `count` bytes at `offset`; fewer (or none) at the end of the file.
    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer
    /// Releases the file. Reads after closing fail.
    func close() async
}

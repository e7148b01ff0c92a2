import FerryCore

/// A backend that can build a file with writes at arbitrary offsets, the way SFTP clients upload.
///
/// The file is assembled out of sight (for local disk, under a temporary name in the same directory) and
/// appears under its real name only when the handle is published; an aborted or abandoned handle leaves nothing.
public protocol RandomAccessWriting: Storage {
    /// Starts building a file that will replace whatever is at `path` when published.
    ///
    /// - Parameters:
    ///   - path: Where the file goes once published.
    ///   - initialContents: Whether to start empty or from a copy of the current file.
    /// - Returns: A handle to write through; call ``RandomAccessWriteHandle/publish()`` or
    ///   ``RandomAccessWriteHandle/abort()`` exactly once.
    /// - Throws: ``FerryError`` (`isADirectory`, `notFound` for a missing parent…).
    func openForWriting(
        _ path: FerryPath,
        initialContents: InitialContents
    ) async throws
        -> any RandomAccessWriteHandle
}

/// What a file opened with ``RandomAccessWriting/openForWriting(_:initialContents:)`` starts as.
public enum InitialContents: Sendable, Hashable {
    /// An empty file.
    case empty
    /// A copy of the file currently at the path (empty if there is none).
    case existing
}

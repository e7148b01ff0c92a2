import FerryCore
import NIOCore

/// The contract every storage backend fulfils: the few primitives that local disks, object stores and remote
/// SFTP servers all have.
///
/// Everything else is a refinement protocol a backend may also conform to, discovered at run time with
/// `as? any RandomAccessWriting` and the like: ``RandomAccessWriting``, ``ServerSideMoving``,
/// ``ServerSideCopying``, ``Symlinking``, ``HardLinking``, ``AttributeSetting``, ``SpaceReporting`` and the
/// semantic marker ``ExplicitDirectories``. Policy (permissions, quotas, open modes) belongs above storage.
///
/// Paths are ``FerryPath`` values relative to the backend's own root, which no path, `..` or symbolic link can
/// leave. Intermediate names may be symbolic links a backend follows, but only while they stay inside the root;
/// operations on an entry (``attributes(of:)``, removal) never follow a final symbolic link, operations on
/// content (``read(_:at:count:)``, ``list(_:pageSize:after:)``) may follow it inside the root.
/// Errors are ``FerryError`` values.
public protocol Storage: Sendable {
    /// Returns the attributes of the entry at `path` without following a final symbolic link (`lstat`).
    ///
    /// - Parameter path: The entry.
    /// - Returns: Its attributes.
    /// - Throws: ``FerryError`` (`notFound`, `notADirectory` for a non-directory parent, `permissionDenied`…).
    func attributes(of path: FerryPath) async throws -> FileAttributes

    /// Lists one page of a directory, in a backend-defined stable order.
    ///
    /// A page holds at most `pageSize` entries and may hold fewer, but is empty only at the end; a `nil`
    /// ``DirectoryPage/continuation`` means the listing is complete. `.` and `..` are never listed, nor are the backend's own temporary entries.
    ///
    /// - Parameters:
    ///   - directory: The directory to list.
    ///   - pageSize: The most entries to return; at least 1.
    ///   - continuation: `nil` for the first page, then the token the previous page returned.
    /// - Returns: The entries and the token for the next page.
    /// - Throws: ``FerryError`` (`notFound`, `notADirectory`, `invalidArgument` for a bad page size or token…).
    func list(
        _ directory: FerryPath,
        pageSize: Int,
        after continuation: ListingContinuation?
    ) async throws
        -> DirectoryPage

    /// Reads up to `count` bytes of a file starting at `offset`.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - offset: The first byte to read.
    ///   - count: The most bytes to return.
    /// - Returns: The bytes read: fewer than `count` only at the end of the file, none at or past it.
    /// - Throws: ``FerryError`` (`notFound`, `isADirectory`…).
    func read(_ path: FerryPath, at offset: UInt64, count: Int) async throws -> ByteBuffer

    /// Writes a whole file from a stream of buffers, creating it or replacing what was at `path`.
    ///
    /// The write is atomic: the file appears under its name complete or not at all, and an existing file stays
    /// untouched until the new one replaces it. If `contents` throws or the write fails, nothing changes.
    ///
    /// - Parameters:
    ///   - path: Where the file goes.
    ///   - contents: The file's bytes, in order.
    /// - Returns: The number of bytes written.
    /// - Throws: ``FerryError`` (`isADirectory` if a directory is at `path`, `notFound` if the parent is
    ///   missing on a backend with ``ExplicitDirectories``, `noSpace`…), or the error `contents` threw.
    @discardableResult
    func write<Contents: AsyncSequence>(_ path: FerryPath, from contents: Contents) async throws -> UInt64
    where Contents.Element == ByteBuffer

    /// Creates a directory.
    ///
    /// - Parameter path: The new directory.
    /// - Throws: ``FerryError`` (`alreadyExists` if any entry is at `path`, `notFound` for a missing parent on a
    ///   backend with ``ExplicitDirectories``…).
    func makeDirectory(_ path: FerryPath) async throws

    /// Removes an empty directory.
    ///
    /// - Parameter path: The directory.
    /// - Throws: ``FerryError`` (`directoryNotEmpty`, `notADirectory`, `notFound`, `permissionDenied` for the
    ///   root…).
    func removeDirectory(_ path: FerryPath) async throws

    /// Removes a file, or a symbolic link itself (never its target).
    ///
    /// - Parameter path: The entry.
    /// - Throws: ``FerryError`` (`isADirectory`, `notFound`…).
    func removeFile(_ path: FerryPath) async throws
}

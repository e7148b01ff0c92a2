import FerryCore
import NIOCore

extension Storage {
    /// Lists a whole directory by following continuations to the end.
    ///
    /// - Parameters:
    ///   - directory: The directory to list.
    ///   - pageSize: The page size to ask for.
    /// - Returns: Every entry, in the backend's order.
    /// - Throws: Whatever ``list(_:pageSize:after:)`` throws.
    public func listAll(_ directory: FerryPath, pageSize: Int = 1000) async throws -> [FileInfo] {
        var entries: [FileInfo] = []
        var continuation: ListingContinuation? = nil
        repeat {
            let page = try await self.list(directory, pageSize: pageSize, after: continuation)
            entries += page.entries
            continuation = page.continuation
        } while continuation != nil
        return entries
    }

    /// Writes a whole file from one buffer (atomically, as ``write(_:from:)`` does).
    ///
    /// - Parameters:
    ///   - path: Where the file goes.
    ///   - bytes: Its contents.
    /// - Returns: The number of bytes written.
    /// - Throws: Whatever ``write(_:from:)`` throws.
    @discardableResult
    public func write(_ path: FerryPath, bytes: ByteBuffer) async throws -> UInt64 {
        try await self.write(path, from: ByteBufferSequence(bytes))
    }

    /// Reads a whole file in chunks.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - maximumSize: Fail rather than read more than this many bytes.
    ///   - chunkSize: How much to ask for per ``read(_:at:count:)``.
    /// - Returns: The file's contents.
    /// - Throws: ``FerryError`` with code `invalidArgument` if the file is larger than `maximumSize`, or whatever
    ///   ``read(_:at:count:)`` throws.
    public func readAll(
        _ path: FerryPath,
        maximumSize: Int = 1 << 30,
        chunkSize: Int = 1 << 20
    ) async throws
        -> ByteBuffer
    {
        var result = ByteBuffer()
        while true {
            let chunk = try await self.read(path, at: UInt64(result.readableBytes), count: chunkSize)
            if chunk.readableBytes == 0 {
                return result
            }
            if result.readableBytes + chunk.readableBytes > maximumSize {
                throw FerryError(.invalidArgument, "\(path) is larger than \(maximumSize) bytes")
            }
            result.writeImmutableBuffer(chunk)
        }
    }
}

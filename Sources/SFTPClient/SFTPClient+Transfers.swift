import NIOCore
import SFTPProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A local file open for a transfer: its descriptor and its name for messages.
public struct SFTPLocalFile: Sendable {
    public let descriptor: Int32
    public let path: String

    public init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ByteBuffer, at offset: UInt64) throws(SFTPClientError) {
        var written = 0
        let total = bytes.readableBytes
        while written < total {
            let result = bytes.withUnsafeReadableBytes { raw in
                pwrite(self.descriptor, raw.baseAddress! + written, total - written, off_t(offset) + off_t(written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .localFile(path: self.path, operation: "write", errno: errno)
            }
            written += result
        }
    }

    /// Reads up to `length` bytes at `offset`; fewer only at end of file.
    func read(length: Int, at offset: UInt64) throws(SFTPClientError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        while buffer.readableBytes < length {
            let done = buffer.readableBytes
            var failure: Int32 = 0
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - done) { raw in
                let result = pread(self.descriptor, raw.baseAddress!, length - done, off_t(offset) + off_t(done))
                if result < 0 {
                    failure = errno
                    return 0
                }
                return result
            }
            if failure == EINTR { continue }
            if failure != 0 { throw .localFile(path: self.path, operation: "read", errno: failure) }
            if count == 0 { break }
        }
        return buffer
    }
}

extension SFTPClient {
    private struct PendingRead {
        var id: UInt32
        var offset: UInt64
        var length: Int
    }

    /// Copies the remote file `path` into `local` from byte `offset` on (both files), keeping
    /// ``SFTPClientLimits/requestsInFlight`` reads in flight. Short reads are completed by further reads; the
    /// copy ends at the server's end of file, so a file that grew since it was listed is copied whole.
    ///
    /// - Parameter progress: called with the total bytes copied so far (not counting `offset`).
    /// - Returns: the local file's length: `offset` plus the bytes copied.
    public func download(
        _ path: SFTPPath,
        to local: SFTPLocalFile,
        from offset: UInt64 = 0,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        let file = try await self.open(path, flags: .read)
        do {
            let end = try await self.download(file, to: local, from: offset, progress: progress)
            try await self.close(file)
            return end
        } catch {
            try? await self.close(file)
            throw error
        }
    }

    /// Like ``download(_:to:from:progress:)`` on a file already open for reading.
    ///
    /// - Parameter size: the file's size if the caller already has it (else it is asked for with `FSTAT`).
    public func download(
        _ file: SFTPFileHandle,
        to local: SFTPLocalFile,
        from offset: UInt64 = 0,
        size: UInt64? = nil,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        let chunk = self.limits.readLength
        let window = self.limits.requestsInFlight
        // The size tells when to stop asking; reads continue past it if the file turns out longer.
        var expectedSize: UInt64?
        if let size {
            expectedSize = size
        } else {
            expectedSize = try? await self.fstat(file).size
        }
        var outstanding = CircularBuffer<PendingRead>(initialCapacity: window)
        var nextOffset = offset
        var reachedEnd = false
        var end = offset
        var copied: UInt64 = 0
        do {
            while true {
                var planned: [(offset: UInt64, length: Int)] = []
                while !reachedEnd && outstanding.count + planned.count < window {
                    if let size = expectedSize, nextOffset > size { break }
                    planned.append((nextOffset, chunk))
                    nextOffset += UInt64(chunk)
                }
                if !planned.isEmpty {
                    let ids = try await self.send(
                        planned.map { read in
                            { id in
                                .read(
                                    .init(
                                        requestID: id,
                                        handle: file.handle,
                                        offset: read.offset,
                                        length: UInt32(read.length)
                                    )
                                )
                            }
                        }
                    )
                    for (id, read) in zip(ids, planned) {
                        outstanding.append(PendingRead(id: id, offset: read.offset, length: read.length))
                    }
                }
                guard let first = outstanding.popFirst() else { break }
                let response = try await self.reply(to: first.id)
                guard let data = try self.dataOrEOF(response, path: file.path) else {
                    reachedEnd = true
                    continue
                }
                let count = data.readableBytes
                guard count > 0, count <= first.length else {
                    throw SFTPClientError.protocolError(
                        "the server returned \(count) bytes for a read of \(first.length)"
                    )
                }
                try local.write(data, at: first.offset)
                copied += UInt64(count)
                end = max(end, first.offset + UInt64(count))
                if let size = expectedSize, first.offset + UInt64(count) > size { expectedSize = nil }
                progress?(copied)
                if count < first.length {
                    // A short read: ask for the rest of that range now.
                    let restOffset = first.offset + UInt64(count)
                    let restLength = first.length - count
                    let ids = try await self.send([
                        { id in
                            .read(
                                .init(
                                    requestID: id,
                                    handle: file.handle,
                                    offset: restOffset,
                                    length: UInt32(restLength)
                                )
                            )
                        }
                    ])
                    outstanding.prepend(PendingRead(id: ids[0], offset: restOffset, length: restLength))
                }
            }
        } catch {
            self.abandon(outstanding.map(\.id))
            throw error
        }
        return end
    }

    /// Copies `local` from byte `offset` to its end into the open remote `file` at the same offsets, keeping
    /// ``SFTPClientLimits/requestsInFlight`` writes in flight. Returns the bytes written.
    ///
    /// The caller closes `file` (and should check that close: it is when many servers publish the file).
    public func upload(
        from local: SFTPLocalFile,
        to file: SFTPFileHandle,
        from offset: UInt64 = 0,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        let chunk = self.limits.writeLength
        let window = self.limits.requestsInFlight
        var outstanding = CircularBuffer<UInt32>(initialCapacity: window)
        var nextOffset = offset
        var sent: UInt64 = 0
        var acknowledged: UInt64 = 0
        var sizes = CircularBuffer<Int>(initialCapacity: window)
        var atEnd = false
        do {
            while true {
                while !atEnd && outstanding.count < window {
                    let data = try local.read(length: chunk, at: nextOffset)
                    let count = data.readableBytes
                    if count == 0 {
                        atEnd = true
                        break
                    }
                    let at = nextOffset
                    let ids = try await self.send([
                        { id in .write(.init(requestID: id, handle: file.handle, offset: at, data: data)) }
                    ])
                    outstanding.append(ids[0])
                    sizes.append(count)
                    nextOffset += UInt64(count)
                    sent += UInt64(count)
                    if count < chunk { atEnd = true }
                }
                guard let first = outstanding.popFirst() else { break }
                let size = sizes.removeFirst()
                let response = try await self.reply(to: first)
                try self.expectOK(response, path: file.path)
                acknowledged += UInt64(size)
                progress?(acknowledged)
            }
        } catch {
            self.abandon(outstanding)
            throw error
        }
        return sent
    }
}

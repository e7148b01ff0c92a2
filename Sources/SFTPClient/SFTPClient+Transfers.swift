import NIOCore
import SFTPProtocol
import Synchronization

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
    /// The replies are handled where they are received (for an SSH transport, on the connection's event loop):
    /// each is written to `local` and answered with the next read at once, as OpenSSH's client does in its one
    /// thread, rather than waking a task for every reply. `progress` is called there too.
    ///
    /// - Parameter size: the file's size if the caller already has it (else it is asked for with `FSTAT`).
    public func download(
        _ file: SFTPFileHandle,
        to local: SFTPLocalFile,
        from offset: UInt64 = 0,
        size: UInt64? = nil,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        // The size tells when to stop asking; reads continue past it if the file turns out longer.
        var expectedSize: UInt64?
        if let size {
            expectedSize = size
        } else {
            expectedSize = try? await self.fstat(file).size
        }
        let pump = TransferPump(
            .download(expectedSize: expectedSize),
            client: self,
            file: file,
            local: local,
            offset: offset,
            progress: progress
        )
        return try await withTaskCancellationHandler {
            try await pump.run()
        } onCancel: {
            pump.cancel()
        }
    }

    /// Copies `local` from byte `offset` to its end into the open remote `file` at the same offsets, keeping
    /// ``SFTPClientLimits/requestsInFlight`` writes in flight. Returns the bytes written.
    ///
    /// Like a download, it runs where the replies are received: each `STATUS` frees a slot that the next chunk
    /// of `local` fills at once. `progress` (bytes acknowledged) is called there too.
    ///
    /// The caller closes `file` (and should check that close: it is when many servers publish the file).
    public func upload(
        from local: SFTPLocalFile,
        to file: SFTPFileHandle,
        from offset: UInt64 = 0,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        let pump = TransferPump(.upload, client: self, file: file, local: local, offset: offset, progress: progress)
        return try await withTaskCancellationHandler {
            try await pump.run()
        } onCancel: {
            pump.cancel()
        }
    }
}

/// One transfer, driven by its replies where they are received, keeping ``SFTPClientLimits/requestsInFlight``
/// requests in flight.
///
/// A download writes each `DATA` to the local file and sends the next `READ` at once; short reads are completed
/// by a further read, and the copy ends at the server's end of file. An upload reads the next chunk of the
/// local file when a `STATUS` frees a slot, and sends it as a `WRITE`.
final class TransferPump: ReplySink {
    enum Direction {
        /// `expectedSize` tells when to stop asking; reads continue past it if the file turns out longer.
        case download(expectedSize: UInt64?)
        case upload
    }

    private struct Request {
        var offset: UInt64
        var length: Int
    }

    private struct State {
        var outstanding: [UInt32: Request] = [:]
        var nextOffset: UInt64
        var expectedSize: UInt64?
        /// No more requests: the server said end of file, or the local file is read to its end.
        var reachedEnd = false
        /// Downloads: the local file's length so far.
        var end: UInt64
        /// Bytes copied (downloads) or acknowledged (uploads).
        var done: UInt64 = 0
        /// Uploads: bytes sent.
        var sent: UInt64 = 0
        var failure: (any Error)?
        var continuation: CheckedContinuation<UInt64, any Error>?
        var finished = false
    }

    /// What a step decided, done after the lock is released.
    private struct Actions {
        var requests: ByteBuffer?
        var progress: UInt64?
        var completion: (CheckedContinuation<UInt64, any Error>, Result<UInt64, any Error>)?
    }

    private let isDownload: Bool
    private let client: SFTPClient
    private let file: SFTPFileHandle
    private let local: SFTPLocalFile
    private let chunk: Int
    private let window: Int
    private let progress: (@Sendable (UInt64) -> Void)?
    private let state: Mutex<State>

    init(
        _ direction: Direction,
        client: SFTPClient,
        file: SFTPFileHandle,
        local: SFTPLocalFile,
        offset: UInt64,
        progress: (@Sendable (UInt64) -> Void)?
    ) {
        self.client = client
        self.file = file
        self.local = local
        self.window = max(1, client.limits.requestsInFlight)
        self.progress = progress
        var state = State(nextOffset: offset, end: offset)
        switch direction {
        case .download(let expectedSize):
            self.isDownload = true
            self.chunk = client.limits.readLength
            state.expectedSize = expectedSize
        case .upload:
            self.isDownload = false
            self.chunk = client.limits.writeLength
        }
        self.state = Mutex(state)
    }

    /// Sends the first requests and waits until the transfer is complete. Returns, for a download, the local
    /// file's length; for an upload, the bytes written.
    func run() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { continuation in
            let actions = self.state.withLock { state in
                state.continuation = continuation
                var actions = Actions()
                self.step(&state, into: &actions)
                return actions
            }
            self.perform(actions)
        }
    }

    /// Stops the transfer: outstanding replies are dropped and ``run()`` throws `CancellationError`.
    func cancel() {
        let actions = self.state.withLock { state in
            self.stop(&state, failure: CancellationError())
            var actions = Actions()
            self.step(&state, into: &actions)
            return actions
        }
        self.perform(actions)
    }

    func receive(_ response: SFTPResponse, for id: UInt32) {
        let actions = self.state.withLock { state in
            guard let request = state.outstanding.removeValue(forKey: id) else { return Actions() }
            var actions = Actions()
            do {
                if state.failure == nil {
                    if self.isDownload {
                        try self.handleData(response, to: request, state: &state, actions: &actions)
                    } else {
                        try self.client.expectOK(response, path: self.file.path)
                        state.done += UInt64(request.length)
                        actions.progress = state.done
                    }
                }
            } catch {
                self.stop(&state, failure: error)
            }
            self.step(&state, into: &actions)
            return actions
        }
        self.perform(actions)
    }

    func fail(_ error: SFTPClientError) {
        let actions = self.state.withLock { state in
            // The session's table has already dropped this transfer's requests.
            state.outstanding.removeAll()
            if state.failure == nil { state.failure = error }
            var actions = Actions()
            self.step(&state, into: &actions)
            return actions
        }
        self.perform(actions)
    }

    private func handleData(
        _ response: SFTPResponse,
        to read: Request,
        state: inout State,
        actions: inout Actions
    ) throws {
        guard let data = try self.client.dataOrEOF(response, path: self.file.path) else {
            state.reachedEnd = true
            return
        }
        let count = data.readableBytes
        guard count > 0, count <= read.length else {
            throw SFTPClientError.protocolError("the server returned \(count) bytes for a read of \(read.length)")
        }
        try self.local.write(data, at: read.offset)
        let reached = read.offset + UInt64(count)
        state.done += UInt64(count)
        state.end = max(state.end, reached)
        if let size = state.expectedSize, reached > size { state.expectedSize = nil }
        actions.progress = state.done
        if count < read.length {
            // A short read: ask for the rest of that range now.
            let rest = Request(offset: reached, length: read.length - count)
            self.encodeRead(rest, id: try self.allocate(rest, &state), into: &actions)
        }
    }

    /// Fills the window with new requests, or finishes when nothing is left in flight.
    private func step(_ state: inout State, into actions: inout Actions) {
        if state.failure == nil {
            do {
                while !state.reachedEnd && state.outstanding.count < self.window {
                    if self.isDownload {
                        if let size = state.expectedSize, state.nextOffset > size { break }
                        let request = Request(offset: state.nextOffset, length: self.chunk)
                        self.encodeRead(request, id: try self.allocate(request, &state), into: &actions)
                        state.nextOffset += UInt64(self.chunk)
                    } else {
                        let data = try self.local.read(length: self.chunk, at: state.nextOffset)
                        let count = data.readableBytes
                        if count < self.chunk { state.reachedEnd = true }
                        if count == 0 { break }
                        let id = try self.allocate(Request(offset: state.nextOffset, length: count), &state)
                        if actions.requests == nil { actions.requests = ByteBuffer() }
                        actions.requests!.writeSFTPPacket(
                            .write(.init(requestID: id, handle: self.file.handle, offset: state.nextOffset, data: data))
                        )
                        state.nextOffset += UInt64(count)
                        state.sent += UInt64(count)
                    }
                }
            } catch {
                self.stop(&state, failure: error)
            }
        }
        if state.outstanding.isEmpty, !state.finished, let continuation = state.continuation {
            state.finished = true
            state.continuation = nil
            actions.requests = nil
            if let failure = state.failure {
                actions.completion = (continuation, .failure(failure))
            } else {
                actions.completion = (continuation, .success(self.isDownload ? state.end : state.sent))
            }
        }
    }

    /// Takes a request id whose reply comes to this transfer, and records what it asks for.
    private func allocate(_ request: Request, _ state: inout State) throws -> UInt32 {
        let id = try self.client.replies.allocate(for: self)
        state.outstanding[id] = request
        return id
    }

    private func encodeRead(_ read: Request, id: UInt32, into actions: inout Actions) {
        if actions.requests == nil { actions.requests = ByteBuffer() }
        actions.requests!.writeSFTPPacket(
            .read(.init(requestID: id, handle: self.file.handle, offset: read.offset, length: UInt32(read.length)))
        )
    }

    /// Records the failure and drops the replies still to come.
    private func stop(_ state: inout State, failure: any Error) {
        if state.failure == nil { state.failure = failure }
        for id in state.outstanding.keys { self.client.replies.abandon(id) }
        state.outstanding.removeAll()
    }

    private func perform(_ actions: Actions) {
        if let requests = actions.requests { self.client.transport.enqueue(requests) }
        if let done = actions.progress { self.progress?(done) }
        if let (continuation, result) = actions.completion { continuation.resume(with: result) }
    }
}

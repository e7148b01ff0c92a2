import FerryCore
import NIOCore
import Storage

/// An upload into a backend that takes files only as one ordered stream (``Storage/write(_:from:)``), fed by
/// writes that may arrive out of order.
///
/// Writes ahead of the next expected byte wait in a reorder buffer until the gap before them fills; a write
/// that would reach more than `window` bytes past the next expected byte suspends until the stream catches up,
/// so memory stays bounded and a slow backend slows the client. A gap left at ``finish()`` fails the stream,
/// and the backend then publishes nothing.
actor SequentialUpload {
    private let window: UInt64
    /// The offset of the next byte the stream hands to the backend.
    private var nextOffset: UInt64 = 0
    /// Buffered writes by offset, none overlapping and none before `nextOffset`.
    private var pending: [UInt64: ByteBuffer] = [:]
    private var finished = false
    private var failure: VFSError?
    private var consumer: CheckedContinuation<Void, Never>?
    private var waitingWriters: [CheckedContinuation<Void, Never>] = []
    private var task: Task<UInt64, any Error>?

    /// Creates an upload; ``start(storage:path:)`` begins streaming.
    ///
    /// - Parameter window: The reorder window in bytes.
    init(window: Int) {
        self.window = UInt64(max(window, 1))
    }

    /// Starts streaming into the backend.
    ///
    /// - Parameters:
    ///   - storage: The backend.
    ///   - path: Where the file goes.
    func start(storage: any Storage, path: FerryPath) {
        let chunks = Chunks(upload: self)
        self.task = Task {
            do {
                return try await storage.write(path, from: chunks)
            } catch {
                await chunks.upload.fail(VFSError.converting(error))
                throw error
            }
        }
    }

    /// The bytes handed to the backend so far.
    var bytesStreamed: UInt64 { self.nextOffset }

    /// Adds bytes at an offset, waiting while they lie beyond the window.
    ///
    /// - Parameters:
    ///   - bytes: The bytes.
    ///   - offset: Where they go.
    /// - Throws: ``VFSError``: `unsupported` for a write behind what was already streamed or overlapping a
    ///   buffered one, or the failure that ended the upload.
    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        let count = UInt64(bytes.readableBytes)
        guard count > 0 else { return }
        while true {
            if let failure = self.failure { throw failure }
            if self.finished { throw VFSError(.invalidHandle, "the upload is closing") }
            guard offset >= self.nextOffset else {
                throw VFSError(.unsupported, "this storage takes uploads in order; offset \(offset) was already sent")
            }
            if offset == self.nextOffset || offset + count <= self.nextOffset + self.window {
                break
            }
            await withCheckedContinuation { self.waitingWriters.append($0) }
        }
        let end = offset + count
        for (start, buffered) in self.pending where start < end && offset < start + UInt64(buffered.readableBytes) {
            throw VFSError(.unsupported, "this storage cannot take overlapping writes (offset \(offset))")
        }
        self.pending[offset] = bytes
        if offset == self.nextOffset {
            self.wakeConsumer()
        }
    }

    /// Ends the stream and waits for the backend to publish the file.
    ///
    /// - Returns: The file's size.
    /// - Throws: ``VFSError``: `invalidArgument` if a gap was left, or whatever the backend threw.
    func finish() async throws -> UInt64 {
        self.finished = true
        self.wakeConsumer()
        do {
            return try await self.task!.value
        } catch {
            throw self.failure ?? VFSError.converting(error)
        }
    }

    /// Fails the stream, so the backend publishes nothing, and waits until it has given up.
    func abort() async {
        self.fail(VFSError(.failure, "the upload was aborted"))
        _ = try? await self.task?.value
    }

    /// Records the first failure and wakes everyone waiting.
    func fail(_ error: VFSError) {
        if self.failure == nil {
            self.failure = error
        }
        self.pending = [:]
        self.wakeConsumer()
        self.wakeWriters()
    }

    /// The next in-order chunk for the backend, `nil` at a clean end.
    func nextChunk() async throws -> ByteBuffer? {
        while true {
            if let failure = self.failure { throw failure }
            if let chunk = self.pending.removeValue(forKey: self.nextOffset) {
                self.nextOffset += UInt64(chunk.readableBytes)
                self.wakeWriters()
                return chunk
            }
            if self.finished {
                if self.pending.isEmpty { return nil }
                let error = VFSError(.invalidArgument, "the upload has a gap at offset \(self.nextOffset)")
                self.fail(error)
                throw error
            }
            await withCheckedContinuation { self.consumer = $0 }
        }
    }

    private func wakeConsumer() {
        self.consumer?.resume()
        self.consumer = nil
    }

    private func wakeWriters() {
        let writers = self.waitingWriters
        self.waitingWriters = []
        for writer in writers { writer.resume() }
    }

    /// The ordered stream the backend reads.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let upload: SequentialUpload

        func makeAsyncIterator() -> Iterator { Iterator(upload: self.upload) }

        struct Iterator: AsyncIteratorProtocol {
            let upload: SequentialUpload
            mutating func next() async throws -> ByteBuffer? { try await self.upload.nextChunk() }
        }
    }
}

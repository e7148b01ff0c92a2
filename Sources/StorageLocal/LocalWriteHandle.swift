#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import NIOCore
import Storage
import Synchronization

/// A file built with writes at any offset in a temporary file, renamed into place when published.
final class LocalWriteHandle: RandomAccessWriteHandle {
    private let storage: LocalStorage
    private let upload: LocalUpload
    private let finished = Mutex(false)

    init(storage: LocalStorage, upload: LocalUpload) {
        self.storage = storage
        self.upload = upload
    }

    deinit {
        // Dropped without publish() or abort(): leave nothing behind.
        if !self.finished.withLock({ $0 }) {
            self.upload.discard()
        }
    }

    /// Runs `body` on the thread pool if the handle is still open.
    private func whileOpen<Result: Sendable>(
        _ body: @escaping @Sendable (LocalUpload) throws -> Result
    ) async throws -> Result {
        try self.checkOpen()
        let upload = self.upload
        return try await self.storage.run { try body(upload) }
    }

    private func checkOpen() throws {
        if self.finished.withLock({ $0 }) {
            throw FerryError(.invalidArgument, "the handle for \(self.upload.path) is closed")
        }
    }

    /// Marks the handle finished; throws if it already was.
    private func finish() throws {
        let wasFinished = self.finished.withLock { finished in
            defer { finished = true }
            return finished
        }
        if wasFinished {
            throw FerryError(.invalidArgument, "the handle for \(self.upload.path) is closed")
        }
    }

    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        try await self.whileOpen { try $0.write(bytes, at: offset) }
    }

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        guard count >= 0, offset <= UInt64(Int64.max) else {
            throw FerryError(.invalidArgument, "read of \(count) bytes at \(offset)")
        }
        return try await self.whileOpen { upload in
            let size = try upload.size()
            guard offset < size, count > 0 else { return ByteBuffer() }
            let length = Int(min(UInt64(count), size - offset))
            return try LocalStorage.readBytes(upload.file.raw, at: offset, count: length, upload.path)
        }
    }

    func size() async throws -> UInt64 {
        try await self.whileOpen { try $0.size() }
    }

    func truncate(to size: UInt64) async throws {
        try await self.whileOpen { try $0.truncate(to: size) }
    }

    func sync() async throws {
        try await self.whileOpen { try $0.sync() }
    }

    func publish() async throws {
        try self.finish()
        let upload = self.upload
        try await self.storage.run { try upload.publish() }
    }

    func abort() async throws {
        try self.finish()
        let upload = self.upload
        try await self.storage.run { upload.discard() }
    }
}
#endif

import FerryCore
import NIOCore
import Storage
import Synchronization

/// A file being built in memory; it joins the tree only when published.
final class MemoryWriteHandle: RandomAccessWriteHandle {
    private struct State {
        var data: ByteBuffer
        var finished = false
    }

    private let engine: MemoryEngine
    private let path: FerryPath
    private let limit: UInt64
    private let state: Mutex<State>

    init(engine: MemoryEngine, path: FerryPath, data: ByteBuffer) {
        self.engine = engine
        self.path = path
        self.limit = engine.maximumFileSize
        self.state = Mutex(State(data: data))
    }

    private func withOpenState<Result: Sendable>(_ body: (inout State) throws -> Result) throws -> Result {
        try self.state.withLock { state in
            guard !state.finished else {
                throw FerryError(.invalidArgument, "the handle for \(self.path) is closed")
            }
            return try body(&state)
        }
    }

    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        let end = offset.addingReportingOverflow(UInt64(bytes.readableBytes))
        guard !end.overflow, end.partialValue <= self.limit else {
            throw FerryError(.noSpace, "file larger than the storage holds")
        }
        try self.withOpenState { state in
            let start = Int(offset)
            if start > state.data.readableBytes {
                state.data.resize(to: start)
            }
            let index = state.data.readerIndex + start
            state.data.setBuffer(bytes, at: index)
            let newEnd = index + bytes.readableBytes
            if newEnd > state.data.writerIndex {
                state.data.moveWriterIndex(to: newEnd)
            }
        }
    }

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        try self.withOpenState { state in
            let size = UInt64(state.data.readableBytes)
            guard offset < size, count > 0 else { return ByteBuffer() }
            let length = Int(min(UInt64(count), size - offset))
            return state.data.getSlice(at: state.data.readerIndex + Int(offset), length: length)!
        }
    }

    func size() async throws -> UInt64 {
        try self.withOpenState { UInt64($0.data.readableBytes) }
    }

    func truncate(to size: UInt64) async throws {
        guard size <= self.limit else {
            throw FerryError(.noSpace, "file larger than the storage holds")
        }
        try self.withOpenState { $0.data.resize(to: Int(size)) }
    }

    func sync() async throws {
        try self.withOpenState { _ in }
    }

    func publish() async throws {
        let data = try self.withOpenState { state in
            state.finished = true
            return state.data
        }
        try self.engine.withTree { try $0.commitFile(self.path, data: data) }
    }

    func abort() async throws {
        try self.withOpenState { state in
            state.finished = true
            state.data = ByteBuffer()
        }
    }
}

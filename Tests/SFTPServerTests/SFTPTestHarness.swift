import FerryCore
import Foundation
import Logging
import NIOCore
import SFTPProtocol
import SFTPServer
import Storage
import StorageLocal
import StorageMemory
import Synchronization
import VFS

/// Collects a session's replies, decoding each packet as it is sent.
final class CollectingOutput: SFTPServerOutput {
    let continuation: AsyncStream<SFTPResponse>.Continuation
    let replies: AsyncStream<SFTPResponse>

    init() {
        (self.replies, self.continuation) = AsyncStream<SFTPResponse>.makeStream()
    }

    func send(_ packet: ByteBuffer, body: ByteBuffer?) async {
        var whole = packet
        if var body { whole.writeBuffer(&body) }
        var decoder = SFTPPacketDecoder(maximumPacketLength: 1 << 20)
        decoder.append(whole)
        guard var frame = try? decoder.nextPacket(), let response = try? frame.readSFTPResponse() else {
            fatalError("the server sent a packet that does not decode")
        }
        precondition(decoder.bufferedBytes == 0, "one packet per send")
        self.continuation.yield(response)
    }
}

/// A client speaking to an in-process ``SFTPServerSession``: requests are raw packets, replies are matched by id.
///
/// Requests can be sent without waiting (``send(_:)``) to pipeline them, then collected with ``reply(_:)``.
final class SFTPTestClient: Sendable {
    private let input: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let box = StateBox()
    let session: SFTPServerSession
    let sessionTask: Task<(any Error)?, Never>
    private let reader: Task<Void, Never>

    private final class StateBox: Sendable {
        let mutex = Mutex(State())
    }

    struct State {
        var nextID: UInt32 = 1
        var arrived: [UInt32: SFTPResponse] = [:]
        var waiting: [UInt32: CheckedContinuation<SFTPResponse, Never>] = [:]
        var version: SFTPResponse.Version?
        var versionWaiter: CheckedContinuation<SFTPResponse.Version, Never>?
    }

    init(vfs: VFSSession, options: SFTPServerOptions = SFTPServerOptions()) {
        let (stream, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        self.input = continuation
        let output = CollectingOutput()
        let session = SFTPServerSession(vfs: vfs, options: options, logger: Logger(label: "test"))
        self.session = session
        self.sessionTask = Task {
            do {
                try await session.run(stream, output: output)
                output.continuation.finish()
                return nil
            } catch {
                output.continuation.finish()
                return error
            }
        }
        let box = self.box
        self.reader = Task {
            for await reply in output.replies {
                let resume: () -> Void = box.mutex.withLock { state in
                    if case .version(let version) = reply {
                        state.version = version
                        if let waiter = state.versionWaiter {
                            state.versionWaiter = nil
                            return { waiter.resume(returning: version) }
                        }
                        return {}
                    }
                    let id = reply.requestID!
                    if let waiter = state.waiting.removeValue(forKey: id) {
                        return { waiter.resume(returning: reply) }
                    }
                    state.arrived[id] = reply
                    return {}
                }
                resume()
            }
        }
    }

    /// Sends raw bytes (for malformed-input tests).
    func sendRaw(_ bytes: ByteBuffer) {
        self.input.yield(bytes)
    }

    /// Sends INIT and waits for VERSION.
    func initialize() async -> SFTPResponse.Version {
        var packet = ByteBuffer()
        packet.writeSFTPPacket(.initialize(.init(version: 3)))
        self.input.yield(packet)
        return await withCheckedContinuation { continuation in
            let ready = self.box.mutex.withLock { state -> SFTPResponse.Version? in
                if let version = state.version { return version }
                state.versionWaiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// A fresh request id.
    func nextID() -> UInt32 {
        self.box.mutex.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Sends a request without waiting for its reply.
    func send(_ request: SFTPRequest) {
        var packet = ByteBuffer()
        packet.writeSFTPPacket(request)
        self.input.yield(packet)
    }

    /// Waits for the reply to a request id.
    func reply(_ id: UInt32) async -> SFTPResponse {
        await withCheckedContinuation { continuation in
            let ready = self.box.mutex.withLock { state -> SFTPResponse? in
                if let reply = state.arrived.removeValue(forKey: id) { return reply }
                state.waiting[id] = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Sends a request built for a fresh id and waits for its reply.
    func call(_ make: (UInt32) -> SFTPRequest) async -> SFTPResponse {
        let id = self.nextID()
        self.send(make(id))
        return await self.reply(id)
    }

    /// Ends the input, as a client closing its channel does, and waits for the session to finish.
    @discardableResult
    func finish() async -> (any Error)? {
        self.input.finish()
        let error = await self.sessionTask.value
        await self.reader.value
        return error
    }

    // MARK: Conveniences

    func open(
        _ path: String,
        _ flags: SFTPOpenFlags,
        attributes: SFTPFileAttributes = .init()
    ) async throws
        -> SFTPHandle
    {
        let reply = await self.call {
            .open(.init(requestID: $0, filename: SFTPPath(path), flags: flags, attributes: attributes))
        }
        guard case .handle(let handle) = reply else { throw UnexpectedReply(reply) }
        return handle.handle
    }

    func status(_ make: (UInt32) -> SFTPRequest) async -> SFTPStatusCode? {
        guard case .status(let status) = await self.call(make) else { return nil }
        return status.code
    }

    func close(_ handle: SFTPHandle) async -> SFTPStatusCode? {
        await self.status { .close(.init(requestID: $0, handle: handle)) }
    }

    func write(_ handle: SFTPHandle, _ text: String, at offset: UInt64 = 0) async -> SFTPStatusCode? {
        await self.status {
            .write(.init(requestID: $0, handle: handle, offset: offset, data: ByteBuffer(string: text)))
        }
    }

    /// Reads a whole file through a read handle, pipelining `inFlight` reads of `chunk` bytes.
    func readAll(_ handle: SFTPHandle, chunk: UInt32 = 32 * 1024, inFlight: Int = 16) async throws -> ByteBuffer {
        var result = ByteBuffer()
        var offset: UInt64 = 0
        var done = false
        while !done {
            var ids: [(UInt32, UInt64)] = []
            for _ in 0..<inFlight {
                let id = self.nextID()
                self.send(.read(.init(requestID: id, handle: handle, offset: offset, length: chunk)))
                ids.append((id, offset))
                offset += UInt64(chunk)
            }
            for (id, _) in ids {
                switch await self.reply(id) {
                case .data(var data):
                    result.writeBuffer(&data.data)
                case .status(let status) where status.code == .eof:
                    done = true
                case let other:
                    throw UnexpectedReply(other)
                }
            }
        }
        return result
    }

    func stat(_ path: String) async -> SFTPResponse {
        await self.call { .stat(.init(requestID: $0, path: SFTPPath(path))) }
    }

    func extended<P: SFTPExtendedRequestPayload>(_ payload: P) async -> SFTPResponse {
        await self.call { .extended(SFTPRequest.Extended(requestID: $0, payload)) }
    }
}

struct UnexpectedReply: Error, CustomStringConvertible {
    var reply: SFTPResponse
    init(_ reply: SFTPResponse) { self.reply = reply }
    var description: String { "unexpected reply: \(self.reply)" }
}

extension SFTPResponse {
    var statusCode: SFTPStatusCode? {
        if case .status(let status) = self { return status.code }
        return nil
    }

    var statusMessage: String? {
        if case .status(let status) = self { return status.message }
        return nil
    }

    var fileAttributes: SFTPFileAttributes? {
        if case .attributes(let attributes) = self { return attributes.attributes }
        return nil
    }

    var names: [SFTPNameEntry]? {
        if case .name(let name) = self { return name.entries }
        return nil
    }
}

func makeVFS(
    _ storage: any Storage,
    permissions: VFSPermissions = .all,
    limits: VFSLimits = VFSLimits(),
    home: FerryPath = .root
) throws -> VFSSession {
    VFSSession(
        user: "alice",
        mounts: try VFSMountTable(root: VFSMount(storage: storage)),
        permissions: permissions,
        home: home,
        limits: limits
    )
}

/// Runs `body` with local storage in a fresh temporary directory, removed afterwards.
func withLocalStorage(_ body: (LocalStorage, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-sftp-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await body(try await LocalStorage(root: directory), directory)
}

/// The three kinds of backend: memory, object-store memory and local disk.
func withEveryBackend(_ body: (any Storage, String) async throws -> Void) async throws {
    try await body(MemoryStorage(), "memory")
    try await body(MemoryObjectStorage(), "object-store")
    try await withLocalStorage { storage, _ in try await body(storage, "local") }
}

/// Deterministic bytes for a test file.
func pattern(_ count: Int, seed: UInt8 = 7) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.reserveCapacity(count)
    var value = seed
    for index in 0..<count {
        value = value &* 31 &+ UInt8(truncatingIfNeeded: index >> 8)
        buffer.writeInteger(value)
    }
    return buffer
}

extension Storage {
    /// Writes a whole file, creating its parent directories first.
    func writeAll(_ path: FerryPath, _ bytes: ByteBuffer) async throws {
        var ancestors: [FerryPath] = []
        var current = path.parent
        while let directory = current, !directory.isRoot {
            ancestors.insert(directory, at: 0)
            current = directory.parent
        }
        for directory in ancestors {
            do {
                try await self.makeDirectory(directory)
            } catch let error as FerryError where error.code == .alreadyExists {
            }
        }
        _ = try await self.write(path, bytes: bytes)
    }
}

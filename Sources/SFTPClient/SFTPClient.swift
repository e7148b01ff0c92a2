import Logging
import NIOCore
import SFTPProtocol
import SSHClient
import Synchronization

/// How an ``SFTPClient`` exchanges bytes with its server: an SSH channel's `sftp` subsystem, a pipe to a local
/// `sftp-server`, or a test harness.
public struct SFTPClientTransport: Sendable {
    /// The server's bytes, pushed by the transport as they come; ends when the connection goes.
    public let inbound: SFTPClientInbound
    /// Sends bytes to the server; suspends while the transport's queue is full.
    public var send: @Sendable (ByteBuffer) async throws -> Void
    /// Queues bytes for the server without waiting (small requests whose total the client bounds itself),
    /// in order with other `enqueue` calls. May be called from the thread that delivers inbound bytes.
    public var enqueue: @Sendable (ByteBuffer) -> Void
    /// Closes the transport (the channel, and the connection when the client owns it).
    public var close: @Sendable () async -> Void

    /// A transport whose bytes are pushed into `inbound` by the caller.
    public init(
        inbound: SFTPClientInbound,
        send: @escaping @Sendable (ByteBuffer) async throws -> Void,
        enqueue: @escaping @Sendable (ByteBuffer) -> Void,
        close: @escaping @Sendable () async -> Void
    ) {
        self.inbound = inbound
        self.send = send
        self.enqueue = enqueue
        self.close = close
    }

    /// A transport over a stream of the server's bytes and a function that sends: a task reads the stream
    /// (and hands replies over from there) and another sends what is queued with `enqueue`, in order. Both
    /// stop when the transport is closed.
    public init(
        inbound stream: some AsyncSequence<ByteBuffer, any Error> & Sendable,
        send: @escaping @Sendable (ByteBuffer) async throws -> Void,
        close: @escaping @Sendable () async -> Void
    ) {
        let inbound = SFTPClientInbound()
        let reader = Task {
            do {
                for try await bytes in stream { inbound.push(bytes) }
                inbound.finish()
            } catch {
                inbound.finish(error)
            }
        }
        let (queued, queue) = AsyncStream<ByteBuffer>.makeStream()
        let sender = Task {
            for await bytes in queued {
                do {
                    try await send(bytes)
                } catch {
                    inbound.finish(error)
                    return
                }
            }
        }
        self.init(
            inbound: inbound,
            send: send,
            enqueue: { queue.yield($0) },
            close: {
                queue.finish()
                await close()
                reader.cancel()
                sender.cancel()
            }
        )
    }

    /// The `sftp` subsystem on a new session channel of `connection`. The server's replies are handled on the
    /// connection's event loop as they are decrypted. When `owningConnection` is true, closing the client also
    /// closes the connection.
    public static func subsystem(
        on connection: SSHClientConnection,
        owningConnection: Bool = false
    ) async throws -> SFTPClientTransport {
        let inbound = SFTPClientInbound()
        let session = try await connection.openSession { output in
            switch output {
            case .data(let bytes): inbound.push(bytes)
            case .end(let error): inbound.finish(error)
            }
        }
        do {
            try await session.requestSubsystem("sftp")
        } catch {
            try? await session.close()
            if owningConnection { await connection.close() }
            throw SFTPClientError.protocolError("the server refused the sftp subsystem (\(error))")
        }
        return SFTPClientTransport(
            inbound: inbound,
            send: { try await session.write($0) },
            enqueue: { session.enqueue($0) },
            close: {
                try? await session.sendEOF()
                try? await session.close()
                if owningConnection { await connection.close() }
            }
        )
    }
}

/// What a server accepts in one request, from `limits@openssh.com` or the protocol's safe defaults.
public struct SFTPClientLimits: Sendable, Equatable {
    /// The longest `READ` the client sends.
    public var readLength: Int
    /// The longest `WRITE` payload the client sends.
    public var writeLength: Int
    /// How many reads or writes one transfer keeps in flight.
    public var requestsInFlight: Int

    /// 32 KiB reads and writes, which every SFTP server must accept (draft-ietf-secsh-filexfer-02 §3), 64 in
    /// flight as OpenSSH's client does.
    public static let conservative = SFTPClientLimits(
        readLength: 32 * 1024,
        writeLength: 32 * 1024,
        requestsInFlight: 64
    )

    public init(readLength: Int, writeLength: Int, requestsInFlight: Int) {
        self.readLength = readLength
        self.writeLength = writeLength
        self.requestsInFlight = requestsInFlight
    }
}

/// An SFTP version 3 client session (draft-ietf-secsh-filexfer-02 with OpenSSH's extensions).
///
/// Every method may be called from any task; requests from concurrent callers are multiplexed over the one
/// channel and matched to their replies by id. Transfers (``download(_:to:from:progress:)``,
/// ``upload(from:to:at:progress:)``) keep many reads or writes in flight, sized from `limits@openssh.com`
/// when the server offers it, so one stream moves as fast as OpenSSH's client.
///
/// When the connection drops, every waiting request fails with ``SFTPClientError/connectionLost(_:)`` and so
/// does every later one.
public final class SFTPClient: Sendable {
    /// The protocol version the server chose (3).
    public let serverVersion: UInt32
    /// The extensions the server announced, by name, with their version strings.
    public let serverExtensions: [String: String]
    /// Request sizes used by transfers.
    public let limits: SFTPClientLimits

    let transport: SFTPClientTransport
    let replies: ReplyTable
    let logger: Logger

    private init(
        transport: SFTPClientTransport,
        replies: ReplyTable,
        version: SFTPResponse.Version,
        limits: SFTPClientLimits,
        logger: Logger
    ) {
        self.transport = transport
        self.replies = replies
        self.serverVersion = version.version
        var extensions: [String: String] = [:]
        for pair in version.extensions where extensions[pair.name] == nil { extensions[pair.name] = pair.data }
        self.serverExtensions = extensions
        self.limits = limits
        self.logger = logger
    }

    /// Starts a session: sends `INIT`, waits for `VERSION`, and asks for the server's limits when it offers
    /// `limits@openssh.com`.
    ///
    /// - Parameters:
    ///   - maximumLength: caps the read and write sizes whatever the server allows (255 KiB by default, what
    ///     OpenSSH's server takes).
    ///   - fixedLimits: request sizes to use as they are, without asking the server (like `sftp -B`).
    public static func start(
        transport: SFTPClientTransport,
        requestsInFlight: Int = 64,
        maximumLength: Int = 255 * 1024,
        fixedLimits: SFTPClientLimits? = nil,
        logger: Logger = Logger(label: "ferry.sftp.client")
    ) async throws -> SFTPClient {
        let replies = ReplyTable()
        let router = ReplyRouter(replies: replies)
        transport.inbound.attach(.init(bytes: router.receive, end: router.end))
        do {
            var hello = ByteBuffer()
            hello.writeSFTPPacket(SFTPRequest.initialize(.init(version: SFTPRequest.Initialize.version3)))
            try await transport.send(hello)
            let version = try await replies.waitForVersion()
            guard version.version == 3 else {
                throw SFTPClientError.protocolError("the server speaks SFTP version \(version.version), not 3")
            }
            var limits = SFTPClientLimits.conservative
            limits.requestsInFlight = max(1, requestsInFlight)
            let provisional = SFTPClient(
                transport: transport,
                replies: replies,
                version: version,
                limits: limits,
                logger: logger
            )
            if let fixedLimits {
                return SFTPClient(
                    transport: transport,
                    replies: replies,
                    version: version,
                    limits: fixedLimits,
                    logger: logger
                )
            }
            guard provisional.serverExtensions[SFTPExtensions.Limits.extensionName] != nil else {
                return provisional
            }
            let reply = try await provisional.extended(SFTPExtensions.Limits(), path: nil)
            let values = try reply.decode(SFTPExtensions.LimitsReply.self)
            func usable(_ value: UInt64, fallback: Int) -> Int {
                value == 0 ? fallback : Int(min(value, UInt64(maximumLength)))
            }
            limits.readLength = usable(values.maximumReadLength, fallback: limits.readLength)
            limits.writeLength = usable(values.maximumWriteLength, fallback: limits.writeLength)
            if values.maximumPacketLength > 0 {
                // A WRITE carries about 1 KiB of headers besides its data (handle, offset, lengths).
                let room = Int(min(values.maximumPacketLength, UInt64(Int.max))) - 1024
                if room > 0 { limits.writeLength = min(limits.writeLength, room) }
            }
            return SFTPClient(
                transport: transport,
                replies: replies,
                version: version,
                limits: limits,
                logger: logger
            )
        } catch {
            await transport.close()
            replies.fail(with: .connectionLost("the session was closed"))
            throw error
        }
    }

    /// Closes the session (and the connection, when the transport owns it). Waiting requests fail.
    public func close() async {
        await self.transport.close()
        self.replies.fail(with: .connectionLost("the session was closed"))
    }

    /// Whether the server announced the extension `name`.
    public func supports(_ name: String) -> Bool { self.serverExtensions[name] != nil }

    // MARK: Requests

    /// Sends one request and waits for its reply.
    func request(_ make: (UInt32) -> SFTPRequest) async throws -> SFTPResponse {
        let id = try self.replies.allocate()
        var packet = ByteBuffer()
        packet.writeSFTPPacket(make(id))
        do {
            try await self.transport.send(packet)
        } catch {
            self.replies.forget(id)
            throw self.replies.failure ?? .connectionLost("cannot send: \(error)")
        }
        return try await self.replies.wait(for: id)
    }
}

/// Splits the server's bytes into replies and routes each to its waiter, on the thread that delivers the bytes.
final class ReplyRouter: Sendable {
    private struct State {
        var decoder = SFTPPacketDecoder(maximumPacketLength: 1024 * 1024 + 1024)
        var failed = false
    }

    private let replies: ReplyTable
    // Deliveries never overlap (SFTPClientInbound serialises them), so this lock is never contended.
    private let state = Mutex(State())

    init(replies: ReplyTable) {
        self.replies = replies
    }

    @Sendable func receive(_ bytes: ByteBuffer) {
        let replies = self.replies
        let failure: SFTPClientError? = self.state.withLock { state in
            guard !state.failed else { return nil }
            do {
                state.decoder.append(bytes)
                while var packet = try state.decoder.nextPacket() {
                    let response = try packet.readSFTPResponse()
                    if case .version(let version) = response {
                        try replies.deliverVersion(version)
                    } else if let id = response.requestID {
                        try replies.deliver(response, to: id)
                    }
                }
                return nil
            } catch let error as SFTPClientError {
                state.failed = true
                return error
            } catch let error as SFTPError {
                state.failed = true
                return .protocolError(error.description)
            } catch {
                state.failed = true
                return .protocolError("\(error)")
            }
        }
        if let failure { replies.fail(with: failure) }
    }

    @Sendable func end(_ error: (any Error)?) {
        if let error {
            self.replies.fail(with: (error as? SFTPClientError) ?? .connectionLost("\(error)"))
        } else {
            self.replies.fail(with: .connectionLost("the server closed the session"))
        }
    }
}

/// Takes the replies to requests sent on its behalf, on the thread that receives them (a transfer that runs
/// without waking a task for each reply).
protocol ReplySink: AnyObject, Sendable {
    /// The reply to request `id`. Runs on the receiving thread: it must not block for long.
    func receive(_ response: SFTPResponse, for id: UInt32)
    /// The session ended with `error`; no more replies will come.
    func fail(_ error: SFTPClientError)
}

/// Request ids and the replies waiting for them.
///
/// A reply can arrive before its requester starts waiting (the request was sent, the task not yet resumed), so
/// each allocated id is a slot that holds either the reply or the waiter, whichever comes first.
final class ReplyTable: Sendable {
    private enum Slot {
        case expected
        case arrived(SFTPResponse)
        case waiting(CheckedContinuation<SFTPResponse, any Error>)
        /// Sent, but nobody will wait for the reply (the transfer that sent it failed); the reply is dropped.
        case abandoned
        /// The reply goes to a sink, on the thread that receives it.
        case sink(any ReplySink)
    }

    private struct State {
        var nextID: UInt32 = 1
        var slots: [UInt32: Slot] = [:]
        var version: SFTPResponse.Version?
        var versionWaiter: CheckedContinuation<SFTPResponse.Version, any Error>?
        var failure: SFTPClientError?
    }

    private let state = Mutex(State())

    /// Why the session ended, once it has.
    var failure: SFTPClientError? { self.state.withLock { $0.failure } }

    func allocate() throws(SFTPClientError) -> UInt32 {
        try self.state.withLock { (state) throws(SFTPClientError) -> UInt32 in
            if let failure = state.failure { throw failure }
            var id = state.nextID
            while state.slots[id] != nil { id &+= 1 }
            state.nextID = id &+ 1
            state.slots[id] = .expected
            return id
        }
    }

    /// Allocates an id whose reply goes to `sink` when it comes.
    func allocate(for sink: any ReplySink) throws(SFTPClientError) -> UInt32 {
        try self.state.withLock { (state) throws(SFTPClientError) -> UInt32 in
            if let failure = state.failure { throw failure }
            var id = state.nextID
            while state.slots[id] != nil { id &+= 1 }
            state.nextID = id &+ 1
            state.slots[id] = .sink(sink)
            return id
        }
    }

    /// Releases an id whose request was never sent.
    func forget(_ id: UInt32) {
        _ = self.state.withLock { $0.slots.removeValue(forKey: id) }
    }

    /// Stops waiting for a request that was sent: its reply, when it comes, is dropped.
    func abandon(_ id: UInt32) {
        self.state.withLock { state in
            switch state.slots[id] {
            case .expected, .sink: state.slots[id] = .abandoned
            case .arrived: state.slots[id] = nil
            default: break
            }
        }
    }

    func wait(for id: UInt32) async throws -> SFTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SFTPResponse, SFTPClientError>? = self.state.withLock { state in
                switch state.slots[id] {
                case .arrived(let response):
                    state.slots[id] = nil
                    return .success(response)
                case .expected:
                    if let failure = state.failure {
                        state.slots[id] = nil
                        return .failure(failure)
                    }
                    state.slots[id] = .waiting(continuation)
                    return nil
                case .waiting, .abandoned, .sink, .none:
                    return .failure(.protocolError("request \(id) is not outstanding"))
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func deliver(_ response: SFTPResponse, to id: UInt32) throws(SFTPClientError) {
        enum Recipient {
            case waiter(CheckedContinuation<SFTPResponse, any Error>)
            case sink(any ReplySink)
        }
        let recipient: Recipient? = try self.state.withLock {
            (state) throws(SFTPClientError) -> Recipient? in
            switch state.slots[id] {
            case .expected:
                state.slots[id] = .arrived(response)
                return nil
            case .waiting(let continuation):
                state.slots[id] = nil
                return .waiter(continuation)
            case .sink(let sink):
                state.slots[id] = nil
                return .sink(sink)
            case .abandoned:
                state.slots[id] = nil
                return nil
            case .arrived, .none:
                throw .protocolError("the server answered request \(id), which is not outstanding")
            }
        }
        switch recipient {
        case .waiter(let continuation): continuation.resume(returning: response)
        case .sink(let sink): sink.receive(response, for: id)
        case nil: break
        }
    }

    func waitForVersion() async throws -> SFTPResponse.Version {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SFTPResponse.Version, SFTPClientError>? = self.state.withLock { state in
                if let version = state.version { return .success(version) }
                if let failure = state.failure { return .failure(failure) }
                state.versionWaiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    func deliverVersion(_ version: SFTPResponse.Version) throws(SFTPClientError) {
        let waiter = try self.state.withLock {
            (state) throws(SFTPClientError) -> CheckedContinuation<SFTPResponse.Version, any Error>? in
            guard state.version == nil else { throw .protocolError("the server sent VERSION twice") }
            state.version = version
            defer { state.versionWaiter = nil }
            return state.versionWaiter
        }
        waiter?.resume(returning: version)
    }

    /// Ends the session: every waiter fails with `error`, and so does every later request.
    func fail(with error: SFTPClientError) {
        let (waiters, sinks, versionWaiter) = self.state.withLock { state in
            if state.failure == nil { state.failure = error }
            var waiters: [CheckedContinuation<SFTPResponse, any Error>] = []
            var sinks: [ObjectIdentifier: any ReplySink] = [:]
            for (id, slot) in state.slots {
                switch slot {
                case .waiting(let continuation):
                    waiters.append(continuation)
                    state.slots[id] = nil
                case .sink(let sink):
                    sinks[ObjectIdentifier(sink)] = sink
                    state.slots[id] = nil
                default:
                    break
                }
            }
            defer { state.versionWaiter = nil }
            return (waiters, sinks.values, state.versionWaiter)
        }
        let failure = self.failure ?? error
        for waiter in waiters { waiter.resume(throwing: failure) }
        for sink in sinks { sink.fail(failure) }
        versionWaiter?.resume(throwing: failure)
    }
}

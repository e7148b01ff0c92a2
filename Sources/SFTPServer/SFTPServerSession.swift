import FerryCore
import Logging
import NIOCore
import SFTPProtocol
import Synchronization
import VFS

/// Where a session's replies go: an SSH channel, a pipe, or a test.
public protocol SFTPServerOutput: Sendable {
    /// Sends one packet: `packet`, then `body` (the bulk data of a `DATA` reply, sent without copying) when present.
    ///
    /// Suspends while the peer is not taking replies, which is what bounds a session's memory on downloads. When
    /// the peer is gone the bytes are dropped.
    func send(_ packet: ByteBuffer, body: ByteBuffer?) async
}

/// One SFTP version 3 session (draft-ietf-secsh-filexfer-02, as OpenSSH implements it) over a user's
/// ``VFSSession``.
///
/// Feed it the client's bytes with ``run(_:output:)``. After `SSH_FXP_INIT`, `READ` and `WRITE` requests run
/// concurrently (up to ``SFTPServerOptions/maximumConcurrentRequests``), so pipelined transfers go as fast as
/// storage allows and writes may land at any offset in any order; every other request waits until the reads
/// and writes before it have finished and runs alone, so a `CLOSE`, `FSTAT` or `RENAME` always sees the
/// effect of everything the client sent before it. Replies leave in the order the requests arrived: the protocol
/// allows any order, but OpenSSH's client writing a download in place (`scp`) keeps only what was answered in
/// order, so reordering would truncate its files.
///
/// When the input ends (the client closed the channel or the connection dropped), every handle is closed
/// and every upload still open is discarded: nothing half-written appears under its name.
public final class SFTPServerSession: Sendable {
    /// The protocol version served.
    public static let protocolVersion: UInt32 = 3

    /// The user's files.
    public let vfs: VFSSession
    let options: SFTPServerOptions
    let logger: Logger
    let handles = Mutex(SFTPHandleTable())
    /// The extensions announced in `SSH_FXP_VERSION`: only those this session can honour.
    public let extensions: [SFTPExtensionPair]

    /// Creates a session.
    ///
    /// - Parameters:
    ///   - vfs: The user's files.
    ///   - options: Sizes, concurrency and naming.
    ///   - logger: Where protocol errors are reported (never file contents or secrets).
    public init(vfs: VFSSession, options: SFTPServerOptions = SFTPServerOptions(), logger: Logger) {
        self.vfs = vfs
        self.options = options
        self.logger = logger
        self.extensions = Self.advertisedExtensions(for: vfs.features)
    }

    /// The extensions a session on storage with `features` announces, in OpenSSH's order.
    static func advertisedExtensions(for features: VFSFeatures) -> [SFTPExtensionPair] {
        typealias E = SFTPExtensions
        var types: [any SFTPExtendedRequestPayload.Type] = [E.PosixRename.self]
        if features.spaceReports {
            types += [E.StatVFS.self, E.FStatVFS.self]
        }
        if features.hardLinks {
            types.append(E.Hardlink.self)
        }
        types.append(E.Fsync.self)
        if features.attributes {
            types.append(E.LSetStat.self)
        }
        types += [E.Limits.self, E.ExpandPath.self, E.CopyData.self, E.HomeDirectory.self, E.UsersGroupsByID.self]
        return types.map { SFTPExtensionPair(name: $0.extensionName, data: $0.extensionVersion) }
    }

    /// Serves the session until the input ends or breaks the protocol.
    ///
    /// - Parameters:
    ///   - inbound: The client's bytes, in any chunking.
    ///   - output: Where replies go.
    /// - Throws: ``SFTPError`` when the client breaks framing (an impossible length) or does not start with
    ///   `SSH_FXP_INIT`; the session is over either way, and its uploads are discarded.
    public func run(_ inbound: some AsyncSequence<ByteBuffer, any Error>, output: some SFTPServerOutput) async throws {
        var failure: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            do {
                try await self.serve(inbound, output: output, group: &group)
            } catch {
                failure = error
            }
            await group.waitForAll()
        }
        self.handles.withLock { $0.removeAll() }
        await self.vfs.closeAll()
        if let failure {
            throw failure
        }
    }

    private func serve(
        _ inbound: some AsyncSequence<ByteBuffer, any Error>,
        output: some SFTPServerOutput,
        group: inout TaskGroup<Void>
    ) async throws {
        var decoder = SFTPPacketDecoder(maximumPacketLength: self.options.maximumPacketLength)
        var initialized = false
        var inFlight = 0
        let replies = SFTPReplySequencer(limit: 2 * self.options.maximumConcurrentRequests)
        for try await chunk in inbound {
            decoder.append(chunk)
            while var packet = try decoder.nextPacket() {
                let request: SFTPRequest
                do {
                    request = try packet.readSFTPRequest()
                } catch {
                    guard initialized, let id = error.requestID else { throw error }
                    let code: SFTPStatusCode = error.code == .unknownPacketType ? .operationUnsupported : .badMessage
                    self.logger.debug("sftp request refused", metadata: ["id": "\(id)", "error": "\(error)"])
                    let sequence = await replies.reserve()
                    let reply = SFTPResponse.status(.init(requestID: id, code: code, message: error.message))
                    await replies.complete(sequence, reply, session: self, output: output)
                    continue
                }
                guard initialized else {
                    guard case .initialize(let hello) = request else {
                        throw SFTPError(.unexpectedPacketType, "the session must start with SSH_FXP_INIT")
                    }
                    self.logger.debug("sftp session started", metadata: ["client-version": "\(hello.version)"])
                    let version = SFTPResponse.Version(version: Self.protocolVersion, extensions: self.extensions)
                    await self.send(.version(version), to: output)
                    initialized = true
                    continue
                }
                if case .initialize = request {
                    throw SFTPError(.unexpectedPacketType, "SSH_FXP_INIT was sent twice")
                }
                // Replies leave in the order requests arrived, even though reads and writes run concurrently:
                // OpenSSH's client writing a download in place (scp) keeps only the prefix answered in order.
                let sequence = await replies.reserve()
                if request.runsConcurrently {
                    if inFlight >= self.options.maximumConcurrentRequests {
                        await group.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    group.addTask {
                        let reply = await self.answer(request)
                        await replies.complete(sequence, reply, session: self, output: output)
                    }
                } else {
                    await group.waitForAll()
                    inFlight = 0
                    let reply = await self.answer(request)
                    await replies.complete(sequence, reply, session: self, output: output)
                }
            }
        }
    }

    /// Runs one request; a failure becomes a status reply.
    func answer(_ request: SFTPRequest) async -> SFTPResponse {
        let id = request.requestID ?? 0
        do {
            return try await self.respond(to: request, id: id)
        } catch {
            let (code, message) = SFTPStatusMapping.status(for: error)
            self.logger.debug(
                "sftp request failed",
                metadata: [
                    "request": "\(request.packetType)", "id": "\(id)", "status": "\(code)", "message": "\(message)",
                ]
            )
            return .status(.init(requestID: id, code: code, message: message))
        }
    }

    func send(_ response: SFTPResponse, to output: some SFTPServerOutput) async {
        var packet = ByteBuffer()
        packet.reserveCapacity(64)
        let body = packet.writeSFTPPacketPartially(.response(response))
        await output.send(packet, body: body)
    }
}

extension SFTPRequest {
    /// Whether the request may run alongside others: reads and writes touch only their byte range, so they
    /// run concurrently; everything else runs alone, after every request before it.
    var runsConcurrently: Bool {
        switch self {
        case .read, .write: true
        default: false
        }
    }
}

/// Puts replies back in request order and bounds how many wait to be sent.
///
/// Each request takes a sequence number before it runs (``reserve()``, which waits while `limit` replies are
/// outstanding, so a client that does not read its replies stops being read). A finished reply is stored; the
/// task that completes the next one in order sends it and every consecutive one after it.
final class SFTPReplySequencer: Sendable {
    private struct State {
        var nextSequence: UInt64 = 0
        var nextToSend: UInt64 = 0
        var ready: [UInt64: SFTPResponse] = [:]
        var outstanding = 0
        var sending = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// A sequence number for the next request, once fewer than `limit` replies are outstanding.
    func reserve() async -> UInt64 {
        while true {
            let sequence = self.state.withLock { state -> UInt64? in
                guard state.outstanding < self.limit else { return nil }
                state.outstanding += 1
                defer { state.nextSequence += 1 }
                return state.nextSequence
            }
            if let sequence { return sequence }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let retry = self.state.withLock { state -> Bool in
                    if state.outstanding < self.limit { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if retry { continuation.resume() }
            }
        }
    }

    /// Stores a reply and, if it is next in order and nobody is sending, sends it and those after it.
    func complete(
        _ sequence: UInt64,
        _ reply: SFTPResponse,
        session: SFTPServerSession,
        output: some SFTPServerOutput
    ) async {
        var becameSender = self.state.withLock { state -> Bool in
            state.ready[sequence] = reply
            guard !state.sending, state.ready[state.nextToSend] != nil else { return false }
            state.sending = true
            return true
        }
        while becameSender {
            let next = self.state.withLock { state -> SFTPResponse? in
                guard let next = state.ready.removeValue(forKey: state.nextToSend) else {
                    state.sending = false
                    return nil
                }
                state.nextToSend += 1
                return next
            }
            guard let next else {
                becameSender = false
                break
            }
            await session.send(next, to: output)
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.outstanding -= 1
                return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
            }
            waiter?.resume()
        }
    }
}

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
/// effect of everything the client sent before it. Replies go out as each request finishes, in any order the
/// protocol allows (clients match them by request id).
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
                    await self.send(.status(.init(requestID: id, code: code, message: error.message)), to: output)
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
                if request.runsConcurrently {
                    if inFlight >= self.options.maximumConcurrentRequests {
                        await group.next()
                        inFlight -= 1
                    }
                    inFlight += 1
                    group.addTask { await self.answer(request, output: output) }
                } else {
                    await group.waitForAll()
                    inFlight = 0
                    await self.answer(request, output: output)
                }
            }
        }
    }

    /// Runs one request and sends its reply; a failure becomes a status reply.
    func answer(_ request: SFTPRequest, output: some SFTPServerOutput) async {
        guard let id = request.requestID else { return }
        let response: SFTPResponse
        do {
            response = try await self.respond(to: request, id: id)
        } catch {
            let (code, message) = SFTPStatusMapping.status(for: error)
            response = .status(.init(requestID: id, code: code, message: message))
        }
        await self.send(response, to: output)
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

import Logging
import NIOCore
import SSHServer
import Synchronization

typealias SFTPInboundProducer = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, SFTPInboundDelegate
>

/// Serves an SFTP session on an SSH session channel (the `sftp` subsystem).
///
/// Channel data flows into ``SFTPServerSession/run(_:output:)`` through a buffer with backpressure: when the
/// session falls behind, the channel stops granting the client window, so a fast uploader cannot fill memory.
/// Replies flow back with backpressure too: while the channel's outbound queue is over its high water mark,
/// the session's requests wait before sending. When the session ends the channel is finished with exit status 0
/// (or 1 after a protocol error); when the client goes away first, the session sees the end of its input and
/// discards every upload still open.
public final class SFTPChannelHandler: SSHSessionHandler {
    private let makeSession: @Sendable () async throws -> SFTPServerSession
    private let logger: Logger
    private var source: SFTPInboundProducer.Source?
    private var output: SFTPChannelOutput?
    private let ended: @Sendable () -> Void

    /// Creates a handler for one channel.
    ///
    /// - Parameters:
    ///   - session: The SFTP session to serve.
    ///   - logger: Where the session's end is reported.
    ///   - ended: Called once the session has finished and released its handles.
    public convenience init(session: SFTPServerSession, logger: Logger, ended: @escaping @Sendable () -> Void = {}) {
        self.init(logger: logger, ended: ended) { session }
    }

    /// Creates a handler whose session is made when the channel starts, for sessions that need asynchronous
    /// set-up (opening the user's storage). If making it fails, the channel ends with exit status 1 and the
    /// client sees its subsystem end.
    ///
    /// - Parameters:
    ///   - logger: Where failures and the session's end are reported.
    ///   - ended: Called once the session has finished and released its handles.
    ///   - makeSession: Makes the session.
    public init(
        logger: Logger,
        ended: @escaping @Sendable () -> Void = {},
        makeSession: @escaping @Sendable () async throws -> SFTPServerSession
    ) {
        self.makeSession = makeSession
        self.logger = logger
        self.ended = ended
    }

    public func start(_ channel: SSHSessionChannel) {
        let bound = NIOLoopBound(channel, eventLoop: channel.eventLoop)
        let producer = SFTPInboundProducer.makeSequence(
            elementType: ByteBuffer.self,
            failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 8, highWatermark: 64),
            finishOnDeinit: false,
            delegate: SFTPInboundDelegate(channel: bound)
        )
        self.source = producer.source
        let output = SFTPChannelOutput(channel: bound)
        self.output = output
        let makeSession = self.makeSession
        let logger = self.logger
        let ended = self.ended
        Task {
            var status: UInt32 = 0
            do {
                let session = try await makeSession()
                do {
                    try await session.run(producer.sequence, output: output)
                } catch {
                    status = 1
                    logger.info("sftp session ended by a protocol error", metadata: ["error": "\(error)"])
                }
            } catch {
                status = 1
                logger.error("sftp session could not start", metadata: ["error": "\(error)"])
            }
            ended()
            let exitStatus = status
            bound.eventLoop.execute {
                bound.value.finish(exitStatus: exitStatus)
            }
        }
    }

    public func received(_ data: ByteBuffer, channel: SSHSessionChannel) {
        switch self.source?.yield(data) {
        case .stopProducing:
            channel.setReadPaused(true)
        case .produceMore, .dropped, nil:
            break
        }
    }

    public func receivedEOF(channel: SSHSessionChannel) {
        self.source?.finish()
    }

    public func writabilityChanged(_ writable: Bool, channel: SSHSessionChannel) {
        self.output?.setWritable(writable)
    }

    public func closed(channel: SSHSessionChannel) {
        self.source?.finish()
        self.source = nil
        self.output?.close()
    }
}

/// Restarts a paused channel when the session wants more input.
final class SFTPInboundDelegate: NIOAsyncSequenceProducerDelegate, Sendable {
    let channel: NIOLoopBound<SSHSessionChannel>

    init(channel: NIOLoopBound<SSHSessionChannel>) {
        self.channel = channel
    }

    func produceMore() {
        let channel = self.channel
        channel.eventLoop.execute { channel.value.setReadPaused(false) }
    }

    func didTerminate() {}
}

/// Sends replies on the channel's event loop, making senders wait while the channel is over its high water mark.
final class SFTPChannelOutput: SFTPServerOutput {
    private struct State {
        var writable = true
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let channel: NIOLoopBound<SSHSessionChannel>
    private let state = Mutex(State())

    init(channel: NIOLoopBound<SSHSessionChannel>) {
        self.channel = channel
    }

    func send(_ packet: ByteBuffer, body: ByteBuffer?) async {
        await self.waitUntilWritable()
        var message = packet
        if var body {
            // One channel message per reply: the header alone would cost a packet (and a MAC) of its own.
            message.writeBuffer(&body)
        }
        let channel = self.channel
        let packet = message
        channel.eventLoop.execute {
            guard !self.state.withLock({ $0.closed }) else { return }
            if !channel.value.write(packet) {
                self.setWritable(false)
            }
        }
    }

    private func waitUntilWritable() async {
        if self.state.withLock({ $0.writable || $0.closed }) {
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = self.state.withLock { state -> Bool in
                if state.writable || state.closed { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func setWritable(_ writable: Bool) {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.closed else { return [] }
            state.writable = writable
            guard writable else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func close() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

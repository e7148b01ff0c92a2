import Logging
import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

typealias InboundProducer = NIOThrowingAsyncSequenceProducer<
    ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, SSHClientInboundDelegate
>

/// Restarts a paused channel when the consumer of its data wants more.
final class SSHClientInboundDelegate: NIOAsyncSequenceProducerDelegate, Sendable {
    let handler: NIOLoopBound<SSHClientConnectionHandler>
    let channel: UInt32

    init(handler: NIOLoopBound<SSHClientConnectionHandler>, channel: UInt32) {
        self.handler = handler
        self.channel = channel
    }

    func produceMore() {
        let handler = self.handler
        let channel = self.channel
        handler.eventLoop.execute { handler.value.setReadPaused(false, channel: channel) }
    }

    func didTerminate() {}
}

/// How a remote program ended, as far as the server said.
struct SSHExitInfo: Sendable {
    var status: UInt32?
    var signal: String?
}

/// What `openSession` hands back across the event loop boundary.
struct OpenedSession: Sendable {
    let id: UInt32
    let stdout: InboundProducer
    let stderr: AsyncStream<ByteBuffer>
    let opened: EventLoopFuture<Void>
    /// Completes when the channel is closed, with the program's exit status and signal, if it sent them.
    let closed: EventLoopFuture<SSHExitInfo>
}

/// Runs one client-side SSH connection on its event loop.
final class SSHClientConnectionHandler: ChannelInboundHandler, SSHConnectionEngineDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    final class ChannelSlot {
        var opened: EventLoopPromise<Void>
        var closed: EventLoopPromise<SSHExitInfo>
        var replies = CircularBuffer<EventLoopPromise<Void>>()
        var source: InboundProducer.Source
        /// When set, standard output goes here, on the event loop, instead of to `source`.
        var receiver: (@Sendable (SSHClientSessionOutput) -> Void)?
        var stderr: AsyncStream<ByteBuffer>.Continuation
        var writeWaiters: [EventLoopPromise<Void>] = []
        var exitStatus: UInt32?
        var exitSignal: String?

        init(
            opened: EventLoopPromise<Void>,
            closed: EventLoopPromise<SSHExitInfo>,
            source: InboundProducer.Source,
            receiver: (@Sendable (SSHClientSessionOutput) -> Void)?,
            stderr: AsyncStream<ByteBuffer>.Continuation
        ) {
            self.opened = opened
            self.closed = closed
            self.source = source
            self.receiver = receiver
            self.stderr = stderr
        }

        /// Ends standard output: the stream finishes (or fails) and the receiver, if any, hears it once.
        func finishOutput(_ error: (any Error)?) {
            if let error { self.source.finish(error) } else { self.source.finish() }
            if let receiver = self.receiver {
                self.receiver = nil
                receiver(.end(error))
            }
        }
    }

    let engine: SSHConnectionEngine
    let eventLoop: any EventLoop
    private let configuration: SSHClientConfiguration
    private let host: String
    private let port: Int
    let authenticated: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var slots: [UInt32: ChannelSlot] = [:]
    private(set) var banner: String?
    private var failure: (any Error)?
    private var isReading = false
    private var maintenanceTimer: RepeatedTask?
    private var authenticationTimer: Scheduled<Void>?
    let logger: Logger

    init(
        configuration: SSHClientConfiguration,
        host: String,
        port: Int,
        eventLoop: any EventLoop,
        logger: Logger
    ) throws {
        self.engine = try SSHConnectionEngine(
            configuration: configuration.connection,
            clientUsername: configuration.username,
            clientAuthentication: configuration.authentication
        )
        self.configuration = configuration
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.authenticated = eventLoop.makePromise()
        self.logger = logger
        self.engine.delegate = self
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard self.maintenanceTimer == nil else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let interval = self.configuration.rekeyCheckInterval
        self.maintenanceTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.engine.checkRekeyBudget()
            loopBound.value.flushOutput()
        }
        self.authenticationTimer = context.eventLoop.scheduleTask(in: self.configuration.authenticationTimeout) {
            let handler = loopBound.value
            guard handler.engine.authenticatedUsername == nil else { return }
            handler.fail(SSHError(.limitExceeded, "authentication did not finish in time"))
        }
        self.flushOutput()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.isReading = true
        defer { self.isReading = false }
        do {
            try self.engine.receive(&bytes)
        } catch {
            self.fail(error)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.flushOutput()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.engine.isTransportWritable = context.channel.isWritable
        if context.channel.isWritable { self.flushOutput() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.maintenanceTimer?.cancel()
        self.authenticationTimer?.cancel()
        let error = self.failure ?? SSHError(.connectionClosed, "connection closed")
        self.authenticated.fail(error)
        let slots = self.slots
        self.slots.removeAll()
        for (_, slot) in slots { self.failSlot(slot, error: error) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(error)
    }

    private func failSlot(_ slot: ChannelSlot, error: any Error) {
        slot.opened.fail(error)
        while let reply = slot.replies.popFirst() { reply.fail(error) }
        for waiter in slot.writeWaiters { waiter.fail(error) }
        slot.writeWaiters.removeAll()
        slot.finishOutput(error)
        slot.stderr.finish()
        slot.closed.fail(error)
    }

    func flushOutput() {
        guard let context = self.context, !self.isReading else { return }
        let wrote = self.engine.pumpOutput(isWritable: { context.channel.isWritable }) { output in
            context.write(self.wrapOutboundOut(output), promise: nil)
        }
        if wrote { context.flush() }
        if self.engine.isClosed { context.close(promise: nil) }
    }

    func fail(_ error: any Error) {
        if self.failure == nil { self.failure = error }
        if let error = error as? SSHError {
            self.engine.terminate(with: error)
        } else {
            self.engine.disconnect(description: "client error")
        }
        self.authenticated.fail(error)
        let wasReading = self.isReading
        self.isReading = false
        self.flushOutput()
        self.isReading = wasReading
        self.context?.close(promise: nil)
    }

    // MARK: Operations (called on the event loop by the public API)

    func openSession(receiver: (@Sendable (SSHClientSessionOutput) -> Void)?) throws -> OpenedSession {
        let id = try self.engine.openSessionChannel()
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let producer = InboundProducer.makeSequence(
            elementType: ByteBuffer.self,
            failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 4, highWatermark: 64),
            finishOnDeinit: false,
            delegate: SSHClientInboundDelegate(handler: loopBound, channel: id)
        )
        let (stderr, stderrContinuation) = AsyncStream<ByteBuffer>.makeStream()
        let slot = ChannelSlot(
            opened: self.eventLoop.makePromise(),
            closed: self.eventLoop.makePromise(),
            source: producer.source,
            receiver: receiver,
            stderr: stderrContinuation
        )
        if receiver != nil { producer.source.finish() }
        self.slots[id] = slot
        self.flushOutput()
        return OpenedSession(
            id: id,
            stdout: producer.sequence,
            stderr: stderr,
            opened: slot.opened.futureResult,
            closed: slot.closed.futureResult
        )
    }

    func request(_ request: SSHMessage.ChannelRequest.RequestType, channel: UInt32) -> EventLoopFuture<Void> {
        guard let slot = self.slots[channel] else {
            return self.eventLoop.makeFailedFuture(SSHError(.channelError, "channel is closed"))
        }
        let promise = self.eventLoop.makePromise(of: Void.self)
        slot.replies.append(promise)
        self.engine.sendRequest(request, wantReply: true, channel: channel)
        self.flushOutput()
        return promise.futureResult
    }

    func write(_ data: ByteBuffer, channel: UInt32) -> EventLoopFuture<Void> {
        guard let slot = self.slots[channel] else {
            return self.eventLoop.makeFailedFuture(self.failure ?? SSHError(.channelError, "channel is closed"))
        }
        let writable = self.engine.write(data, channel: channel)
        self.flushOutput()
        if writable { return self.eventLoop.makeSucceededVoidFuture() }
        let promise = self.eventLoop.makePromise(of: Void.self)
        slot.writeWaiters.append(promise)
        return promise.futureResult
    }

    func sendEOF(channel: UInt32) {
        self.engine.sendEOF(channel: channel)
        self.flushOutput()
    }

    func close(channel: UInt32) {
        self.engine.close(channel: channel)
        self.flushOutput()
    }

    func setReadPaused(_ paused: Bool, channel: UInt32) {
        guard self.slots[channel] != nil else { return }
        self.engine.setReadPaused(paused, channel: channel)
        self.flushOutput()
    }

    func disconnect() {
        self.engine.disconnect(description: "closed by client")
        self.flushOutput()
        self.context?.close(promise: nil)
    }

    // MARK: Engine delegate

    func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey) {
        let validator = self.configuration.hostKeyValidator
        let host = self.host
        let port = self.port
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let eventLoop = self.eventLoop
        Task {
            var rejection: (any Error)?
            do {
                try await validator.validate(host: host, port: port, key: key)
            } catch {
                rejection = error
            }
            let failure = rejection.map { ($0 as? SSHError)?.message ?? "\($0)" }
            eventLoop.execute {
                let handler = loopBound.value
                do {
                    try handler.engine.completeHostKeyVerification(accepted: failure == nil)
                    handler.flushOutput()
                } catch {
                    handler.fail(
                        failure.map { SSHError(.hostKeyNotVerifiable, $0) } ?? error
                    )
                }
            }
        }
    }

    func engine(_ engine: SSHConnectionEngine, sign request: SSHUserAuthenticationSigningRequest) {
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let eventLoop = self.eventLoop
        Task {
            var signature: SSHSignature?
            var failure: (any Error)?
            do {
                signature = try await request.signer.sign(request.data, algorithm: request.algorithm)
            } catch {
                failure = error
            }
            let reason = failure.map { "\($0)" }
            let result = signature
            eventLoop.execute {
                let handler = loopBound.value
                if let reason {
                    handler.logger.debug(
                        "signing failed; trying the next method",
                        metadata: ["key": "\(request.signer.publicKey.fingerprint)", "error": "\(reason)"]
                    )
                }
                do {
                    try handler.engine.completeSigning(requestID: request.id, signature: result)
                    handler.flushOutput()
                } catch {
                    handler.fail(error)
                }
            }
        }
    }

    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) {
        self.authenticationTimer?.cancel()
        self.authenticated.succeed()
    }

    func engine(_ engine: SSHConnectionEngine, receivedBanner message: String) {
        self.banner = (self.banner ?? "") + message
    }

    func engine(_ engine: SSHConnectionEngine, channelOpened channel: UInt32) {
        self.slots[channel]?.opened.succeed()
    }

    func engine(_ engine: SSHConnectionEngine, channelOpenFailed channel: UInt32, reason: UInt32, description: String) {
        guard let slot = self.slots.removeValue(forKey: channel) else { return }
        self.failSlot(slot, error: SSHError(.channelError, "channel refused: \(description) (reason \(reason))"))
    }

    func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        request: SSHMessage.ChannelRequest.RequestType,
        wantReply: Bool
    ) -> Bool {
        switch request {
        case .exitStatus(let status): self.slots[channel]?.exitStatus = status
        case .exitSignal(let name, _, _, _): self.slots[channel]?.exitSignal = name
        default: break
        }
        return false
    }

    func engine(_ engine: SSHConnectionEngine, channel: UInt32, requestSucceeded: Bool) {
        guard let promise = self.slots[channel]?.replies.popFirst() else { return }
        if requestSucceeded {
            promise.succeed()
        } else {
            promise.fail(SSHError(.channelError, "the server refused the request"))
        }
    }

    func engine(_ engine: SSHConnectionEngine, channel: UInt32, received data: ByteBuffer, extendedType: UInt32?) {
        guard let slot = self.slots[channel] else { return }
        if extendedType != nil {
            slot.stderr.yield(data)
            return
        }
        if let receiver = slot.receiver {
            receiver(.data(data))
            return
        }
        switch slot.source.yield(data) {
        case .stopProducing: engine.setReadPaused(true, channel: channel)
        case .produceMore, .dropped: break
        }
    }

    func engine(_ engine: SSHConnectionEngine, channelReceivedEOF channel: UInt32) {
        self.slots[channel]?.finishOutput(nil)
    }

    func engine(_ engine: SSHConnectionEngine, channel: UInt32, writabilityChanged writable: Bool) {
        guard writable, let slot = self.slots[channel] else { return }
        let waiters = slot.writeWaiters
        slot.writeWaiters.removeAll()
        for waiter in waiters { waiter.succeed() }
    }

    func engine(_ engine: SSHConnectionEngine, channelClosed channel: UInt32) {
        guard let slot = self.slots.removeValue(forKey: channel) else { return }
        slot.finishOutput(nil)
        slot.stderr.finish()
        for waiter in slot.writeWaiters { waiter.fail(SSHError(.channelError, "channel closed")) }
        slot.writeWaiters.removeAll()
        while let reply = slot.replies.popFirst() { reply.fail(SSHError(.channelError, "channel closed")) }
        slot.closed.succeed(SSHExitInfo(status: slot.exitStatus, signal: slot.exitSignal))
    }

    func engine(_ engine: SSHConnectionEngine, peerDisconnected reason: UInt32, description: String) {
        if self.failure == nil {
            self.failure = SSHError(.disconnected, "server disconnected: \(description) (reason \(reason))")
        }
    }
}

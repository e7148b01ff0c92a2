import Logging
import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

/// Runs one server-side SSH connection: feeds socket bytes to an ``SSHConnectionEngine`` and serves its
/// session channels with handlers from the ``SSHSessionHandlerFactory``.
final class SSHServerConnectionHandler: ChannelInboundHandler, SSHConnectionEngineDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Session {
        var channel: SSHSessionChannel
        var environment: [String: String] = [:]
        var handler: (any SSHSessionHandler)?
    }

    private let engine: SSHConnectionEngine
    private let configuration: SSHServerConfiguration
    private let authenticator: any SSHServerAuthenticator
    private let sessionFactory: any SSHSessionHandlerFactory
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var sessions: [UInt32: Session] = [:]
    private var authenticationTimer: Scheduled<Void>?
    private var maintenanceTimer: RepeatedTask?
    /// When the key exchange in progress was first seen running, and how many had completed before it: a later
    /// exchange (a higher count) starts its own clock, so frequent re-keying never adds up to a timeout.
    private var keyExchangeStarted: (at: NIODeadline, completedBefore: Int)?
    private var isReading = false
    private var remoteAddress: SocketAddress?
    private var lastReceived = NIODeadline.now()

    init(
        configuration: SSHServerConfiguration,
        authenticator: any SSHServerAuthenticator,
        sessionFactory: any SSHSessionHandlerFactory,
        logger: Logger
    ) throws {
        self.engine = try SSHConnectionEngine(configuration: configuration.connection)
        self.configuration = configuration
        self.authenticator = authenticator
        self.sessionFactory = sessionFactory
        self.logger = logger
        self.engine.delegate = self
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.remoteAddress = context.channel.remoteAddress
        self.logger[metadataKey: "ferry.conn"] = "\(ObjectIdentifier(self).hashValue & 0xFFFF_FFFF)"
        if let address = self.remoteAddress { self.logger[metadataKey: "ferry.client"] = "\(address.hostAndPort)" }
        if context.channel.isActive { self.start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard self.authenticationTimer == nil else { return }
        self.logger.debug("connection accepted")
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        self.authenticationTimer = context.eventLoop.scheduleTask(in: self.configuration.authenticationTimeout) {
            let handler = loopBound.value
            guard handler.engine.authenticatedUsername == nil else { return }
            handler.fail(SSHError(.limitExceeded, "authentication timed out"))
        }
        var interval = min(self.configuration.rekeyCheckInterval, self.configuration.keyExchangeTimeout)
        if let idle = self.configuration.idleTimeout {
            interval = min(interval, .nanoseconds(max(idle.nanoseconds / 4, 1_000_000)))
        }
        self.maintenanceTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            loopBound.value.maintenance()
        }
        self.flushOutput()
    }

    private func maintenance() {
        if self.engine.isKeyExchangeRunning {
            let completed = self.engine.keyExchangeCount
            if self.keyExchangeStarted?.completedBefore != completed {
                self.keyExchangeStarted = (.now(), completed)
            }
            if let started = self.keyExchangeStarted?.at,
                NIODeadline.now() - started > self.configuration.keyExchangeTimeout
            {
                self.fail(SSHError(.limitExceeded, "key exchange timed out"))
                return
            }
        } else {
            self.keyExchangeStarted = nil
        }
        if let idle = self.configuration.idleTimeout, NIODeadline.now() - self.lastReceived > idle {
            self.logger.info("closing an idle connection")
            self.fail(SSHError(.limitExceeded, "idle for longer than the idle timeout"))
            return
        }
        self.engine.checkRekeyBudget()
        self.flushOutput()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = self.unwrapInboundIn(data)
        self.lastReceived = .now()
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
        self.authenticationTimer?.cancel()
        self.maintenanceTimer?.cancel()
        let sessions = self.sessions
        self.sessions.removeAll()
        for (_, session) in sessions {
            session.handler?.closed(channel: session.channel)
        }
        self.logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Sends what the engine produced, moving queued channel data while the socket accepts more.
    func flushOutput() {
        guard let context = self.context, !self.isReading else { return }
        let wrote = self.engine.pumpOutput(isWritable: { context.channel.isWritable }) { output in
            context.write(self.wrapOutboundOut(output), promise: nil)
        }
        if wrote { context.flush() }
        if self.engine.isClosed {
            context.close(promise: nil)
        }
    }

    private func fail(_ error: any Error) {
        if let error = error as? SSHError {
            self.logger.info("connection failed", metadata: ["error": "\(error.message)"])
            self.engine.terminate(with: error)
        } else {
            self.logger.info("connection failed", metadata: ["error": "\(error)"])
            self.engine.disconnect(reason: SSHDisconnectReason.byApplication, description: "internal error")
        }
        let wasReading = self.isReading
        self.isReading = false
        self.flushOutput()
        self.isReading = wasReading
        self.context?.close(promise: nil)
    }

    // MARK: Engine delegate: authentication

    func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest) {
        guard let context = self.context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let authenticator = self.authenticator
        let address = self.remoteAddress
        let delay = self.configuration.failureDelay
        let eventLoop = context.eventLoop
        Task {
            let result = await authenticator.authenticate(request, clientAddress: address)
            let isQuery: Bool
            if case .publicKey(_, _, true) = request { isQuery = true } else { isQuery = false }
            if result == .failure && !isQuery && delay > .zero {
                try? await Task.sleep(nanoseconds: UInt64(delay.nanoseconds))
            }
            eventLoop.execute {
                loopBound.value.finishAuthentication(request, result: result, isQuery: isQuery)
            }
        }
    }

    private func finishAuthentication(
        _ request: SSHAuthenticationRequest,
        result: SSHAuthenticationResult,
        isQuery: Bool
    ) {
        if !isQuery {
            var metadata: Logger.Metadata = [
                "ferry.user": "\(request.username)", "ferry.method": "\(request.methodName)",
            ]
            if case .publicKey(_, let key, _) = request { metadata["ferry.key"] = "\(key.fingerprint)" }
            switch result {
            case .success: self.logger.info("login accepted", metadata: metadata)
            case .partialSuccess: self.logger.info("login step accepted", metadata: metadata)
            case .failure: self.logger.notice("login failed", metadata: metadata)
            }
        }
        do {
            try self.engine.completeAuthentication(result)
        } catch {
            self.fail(error)
            return
        }
        self.flushOutput()
    }

    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) {
        self.authenticationTimer?.cancel()
        self.logger[metadataKey: "ferry.user"] = "\(username)"
    }

    // MARK: Engine delegate: channels

    func engine(_ engine: SSHConnectionEngine, shouldAcceptChannel channel: UInt32, type: String) -> Bool {
        guard let context = self.context, let username = engine.authenticatedUsername else { return false }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let sessionChannel = SSHSessionChannel(
            engine: engine,
            id: channel,
            username: username,
            eventLoop: context.eventLoop,
            flush: { loopBound.value.flushOutput() }
        )
        self.sessions[channel] = Session(channel: sessionChannel)
        return true
    }

    func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        request: SSHMessage.ChannelRequest.RequestType,
        wantReply: Bool
    ) -> Bool {
        guard var session = self.sessions[channel], let context = self.context else { return false }
        let program: SSHSessionProgram
        switch request {
        case .env(let name, let value):
            guard session.handler == nil, session.environment.count < 64 else { return false }
            session.environment[name] = value
            self.sessions[channel] = session
            return true
        case .subsystem(let name):
            program = .subsystem(name)
        case .exec(let command):
            program = .exec(command)
        default:
            // pty-req, shell, x11-req, signals and anything unknown: politely refused.
            return false
        }
        guard session.handler == nil,
            let handler = self.sessionFactory.makeHandler(
                for: program,
                username: session.channel.username,
                environment: session.environment,
                clientAddress: self.remoteAddress,
                eventLoop: context.eventLoop
            )
        else {
            self.logger.info("session program refused", metadata: ["ferry.program": "\(program)"])
            return false
        }
        session.handler = handler
        self.sessions[channel] = session
        self.logger.debug("session started", metadata: ["ferry.program": "\(program)"])
        handler.start(session.channel)
        return true
    }

    func engine(_ engine: SSHConnectionEngine, channel: UInt32, received data: ByteBuffer, extendedType: UInt32?) {
        guard let session = self.sessions[channel], extendedType == nil else { return }
        session.handler?.received(data, channel: session.channel)
    }

    func engine(_ engine: SSHConnectionEngine, channelReceivedEOF channel: UInt32) {
        guard let session = self.sessions[channel] else { return }
        if let handler = session.handler {
            handler.receivedEOF(channel: session.channel)
        } else {
            engine.close(channel: channel)
        }
    }

    func engine(_ engine: SSHConnectionEngine, channel: UInt32, writabilityChanged writable: Bool) {
        guard let session = self.sessions[channel] else { return }
        session.handler?.writabilityChanged(writable, channel: session.channel)
    }

    func engine(_ engine: SSHConnectionEngine, channelClosed channel: UInt32) {
        guard let session = self.sessions.removeValue(forKey: channel) else { return }
        session.channel.isClosed = true
        session.handler?.closed(channel: session.channel)
    }

    func engine(_ engine: SSHConnectionEngine, peerDisconnected reason: UInt32, description: String) {
        self.logger.debug("client disconnected", metadata: ["reason": "\(reason)", "description": "\(description)"])
    }
}

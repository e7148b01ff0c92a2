import Logging
import NIOCore
import NIOPosix
import SSHConnection
import SSHProtocol

/// An authenticated SSH connection to a server, on which session channels are opened.
public final class SSHClientConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<SSHClientConnectionHandler>

    private init(channel: any Channel, handler: NIOLoopBound<SSHClientConnectionHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects, verifies the host key and logs in.
    ///
    /// - Throws: ``SSHError`` (`.hostKeyNotVerifiable`, `.authenticationFailed`, `.keyExchangeFailed`, …) or
    ///   the socket error when the server cannot be reached.
    public static func connect(
        host: String,
        port: Int = 22,
        configuration: SSHClientConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "ferry.ssh.client")
    ) async throws -> SSHClientConnection {
        let eventLoop = group.next()
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .channelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 * 1024, maximum: 1024 * 1024)
            )
            .channelInitializer { channel in
                do {
                    let handler = try SSHClientConnectionHandler(
                        configuration: configuration,
                        host: host,
                        port: port,
                        eventLoop: channel.eventLoop,
                        logger: logger
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(host: host, port: port)
            .get()
        let handler = try await eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: SSHClientConnectionHandler.self),
                eventLoop: eventLoop
            )
        }.get()
        do {
            try await eventLoop.flatSubmit { handler.value.authenticated.futureResult }.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return SSHClientConnection(channel: channel, handler: handler)
    }

    /// The banner the server sent before authentication, if any.
    public var banner: String? {
        get async { try? await self.channel.eventLoop.submit { self.handler.value.banner }.get() }
    }

    /// The algorithms negotiated by the latest key exchange.
    public var negotiatedAlgorithms: SSHNegotiatedAlgorithms? {
        get async { try? await self.channel.eventLoop.submit { self.handler.value.engine.negotiated }.get() }
    }

    /// Key exchanges completed so far (1 after connecting; more after re-keying).
    public var keyExchangeCount: Int {
        get async {
            (try? await self.channel.eventLoop.submit { self.handler.value.engine.keyExchangeCount }.get()) ?? 0
        }
    }

    /// Opens a session channel.
    ///
    /// - Parameter receiver: when given, the program's standard output is handed to it on the connection's
    ///   event loop as each packet is decrypted, in order, then `.end` once, and
    ///   ``SSHClientSession/stdout`` stays empty. It must not block for long: the whole connection waits for
    ///   it. Nothing holds the server back while it runs, so the caller bounds what the server may send (as
    ///   an SFTP client does by the requests it has outstanding). Without it, standard output is
    ///   ``SSHClientSession/stdout``, with backpressure.
    public func openSession(
        receiver: (@Sendable (SSHClientSessionOutput) -> Void)? = nil
    ) async throws -> SSHClientSession {
        let handler = self.handler
        let opened = try await self.channel.eventLoop.submit {
            try handler.value.openSession(receiver: receiver)
        }.get()
        try await opened.opened.get()
        return SSHClientSession(opened: opened, handler: handler)
    }

    /// Sends SSH_MSG_DISCONNECT and closes the socket.
    public func close() async {
        let handler = self.handler
        try? await self.channel.eventLoop.submit { handler.value.disconnect() }.get()
        try? await self.channel.closeFuture.get()
    }

    /// Completes when the connection is closed, for whatever reason.
    public var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }
}

/// What a session's receiver is handed (see ``SSHClientConnection/openSession(receiver:)``).
public enum SSHClientSessionOutput: Sendable {
    /// Bytes of standard output.
    case data(ByteBuffer)
    /// The end of standard output: the server sent EOF or closed the channel (nil), or the connection failed.
    case end((any Error)?)
}

/// One session channel: a subsystem or a command with its standard streams.
public final class SSHClientSession: Sendable {
    private let opened: OpenedSession
    private let handler: NIOLoopBound<SSHClientConnectionHandler>

    init(opened: OpenedSession, handler: NIOLoopBound<SSHClientConnectionHandler>) {
        self.opened = opened
        self.handler = handler
    }

    /// The data the program writes to its standard output, with backpressure: while it is not consumed the
    /// server is told to stop sending. Finishes at EOF; throws if the connection fails.
    public var stdout: some AsyncSequence<ByteBuffer, any Error> & Sendable { self.opened.stdout }

    /// The program's standard error.
    public var stderr: AsyncStream<ByteBuffer> { self.opened.stderr }

    private var eventLoop: any EventLoop { self.handler.eventLoop }

    /// Starts a subsystem (e.g. "sftp").
    ///
    /// - Throws: ``SSHError`` `.channelError` when the server refuses.
    public func requestSubsystem(_ name: String) async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.flatSubmit { handler.value.request(.subsystem(name: name), channel: id) }.get()
    }

    /// Runs a command.
    ///
    /// - Throws: ``SSHError`` `.channelError` when the server refuses.
    public func exec(_ command: String) async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.flatSubmit { handler.value.request(.exec(command: command), channel: id) }.get()
    }

    /// Sends an environment variable (before the program starts).
    public func setEnvironment(_ name: String, _ value: String) async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.flatSubmit { handler.value.request(.env(name: name, value: value), channel: id) }.get()
    }

    /// Sends data to the program's standard input; suspends while the channel's queue is full.
    public func write(_ data: ByteBuffer) async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.flatSubmit { handler.value.write(data, channel: id) }.get()
    }

    /// Queues data for the program's standard input and returns at once, without waiting for room in the
    /// channel. For small messages whose total the caller bounds itself; from the event loop (a receiver) the
    /// data joins the channel's queue directly, from elsewhere it is handed to the loop. If the channel is gone
    /// the data is dropped: the failure reaches the caller through standard output's end.
    public func enqueue(_ data: ByteBuffer) {
        let handler = self.handler
        let id = self.opened.id
        if self.eventLoop.inEventLoop {
            _ = handler.value.write(data, channel: id)
        } else {
            self.eventLoop.execute { _ = handler.value.write(data, channel: id) }
        }
    }

    /// Closes the program's standard input.
    public func sendEOF() async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.submit { handler.value.sendEOF(channel: id) }.get()
    }

    /// Closes the channel and waits until the server has closed it too.
    public func close() async throws {
        let handler = self.handler
        let id = self.opened.id
        try await self.eventLoop.submit { handler.value.close(channel: id) }.get()
        _ = try await self.opened.closed.get()
    }

    /// Waits until the server closes the channel, then returns the program's exit status (nil if it sent
    /// none) and the signal that ended it, if any.
    public func waitForExit() async throws -> (status: UInt32?, signal: String?) {
        let exit = try await self.opened.closed.get()
        return (exit.status, exit.signal)
    }
}

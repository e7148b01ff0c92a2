import NIOCore
import SSHConnection
import SSHProtocol

/// Serves one session channel once its program (a subsystem or a command) has been chosen.
///
/// Every method is called on the connection's event loop.
public protocol SSHSessionHandler: AnyObject {
    /// The channel is ready; the handler may write from now on.
    func start(_ channel: SSHSessionChannel)
    /// Data from the client. Call ``SSHSessionChannel/setReadPaused(_:)`` to stop more from coming.
    func received(_ data: ByteBuffer, channel: SSHSessionChannel)
    /// The client will send no more data.
    func receivedEOF(channel: SSHSessionChannel)
    /// The channel's outbound queue went over its high water mark (false) or drained (true).
    func writabilityChanged(_ writable: Bool, channel: SSHSessionChannel)
    /// The channel is closed; release everything.
    func closed(channel: SSHSessionChannel)
}

extension SSHSessionHandler {
    public func writabilityChanged(_ writable: Bool, channel: SSHSessionChannel) {}
}

/// What a client asked a session channel to run.
public enum SSHSessionProgram: Sendable, Equatable {
    case subsystem(String)
    case exec(String)
}

/// Chooses the handler for a session's program; return nil to refuse it.
public protocol SSHSessionHandlerFactory: Sendable {
    /// Called on the connection's event loop.
    ///
    /// - Parameters:
    ///   - program: the subsystem or command requested.
    ///   - username: the authenticated user.
    ///   - environment: variables sent with "env" requests before the program.
    func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)?

    /// Like ``makeHandler(for:username:environment:eventLoop:)``, also told where the client connects from.
    /// The default forwards to that method.
    func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        clientAddress: SocketAddress?,
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)?
}

extension SSHSessionHandlerFactory {
    public func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        clientAddress: SocketAddress?,
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)? {
        self.makeHandler(for: program, username: username, environment: environment, eventLoop: eventLoop)
    }
}

/// The server side of one session channel, handed to an ``SSHSessionHandler``.
///
/// Event-loop bound: call it only on ``eventLoop``.
public final class SSHSessionChannel {
    let engine: SSHConnectionEngine
    /// The channel number on this connection.
    public let id: UInt32
    /// The authenticated user.
    public let username: String
    /// The loop every call must happen on.
    public let eventLoop: any EventLoop
    let flush: () -> Void
    var isClosed = false

    init(
        engine: SSHConnectionEngine,
        id: UInt32,
        username: String,
        eventLoop: any EventLoop,
        flush: @escaping () -> Void
    ) {
        self.engine = engine
        self.id = id
        self.username = username
        self.eventLoop = eventLoop
        self.flush = flush
    }

    /// Queues data for the client; never dropped, even while keys are being renewed.
    ///
    /// - Returns: whether the channel is still below its high water mark; when false, wait for
    ///   ``SSHSessionHandler/writabilityChanged(_:channel:)`` before writing more.
    @discardableResult
    public func write(_ data: ByteBuffer) -> Bool {
        let writable = self.engine.write(data, channel: self.id)
        self.flush()
        return writable
    }

    /// Queues data on the stderr stream.
    public func writeError(_ data: ByteBuffer) {
        self.engine.write(data, channel: self.id, extendedType: 1)
        self.flush()
    }

    /// Whether the outbound queue is below its high water mark.
    public var isWritable: Bool {
        self.engine.queuedBytes(channel: self.id) < self.engine.configuration.limits.channelHighWaterMark
    }

    /// Stops (or restarts) granting the client window, so it stops sending.
    public func setReadPaused(_ paused: Bool) {
        self.engine.setReadPaused(paused, channel: self.id)
        self.flush()
    }

    /// Sends EOF, then exit-status, then CLOSE, in order after any queued data.
    public func finish(exitStatus: UInt32) {
        guard !self.isClosed else { return }
        self.isClosed = true
        self.engine.sendEOF(channel: self.id)
        self.engine.sendRequest(.exitStatus(exitStatus), wantReply: false, channel: self.id)
        self.engine.close(channel: self.id)
        self.flush()
    }

    /// Sends EOF only (the client may still send).
    public func sendEOF() {
        self.engine.sendEOF(channel: self.id)
        self.flush()
    }
}

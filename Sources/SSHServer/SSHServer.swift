import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHConnection

/// A listening SSH server: accepts TCP connections and runs one ``SSHServerConnectionHandler`` on each.
public final class SSHServer: Sendable {
    private let channel: any Channel
    private let connections: NIOLockedValueBox<Int>
    private let open: NIOLockedValueBox<[ObjectIdentifier: any Channel]>

    /// The address the server is bound to (useful with port 0).
    public var localAddress: SocketAddress? { self.channel.localAddress }

    private init(
        channel: any Channel,
        connections: NIOLockedValueBox<Int>,
        open: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    ) {
        self.channel = channel
        self.connections = connections
        self.open = open
    }

    /// Binds and starts accepting connections.
    ///
    /// - Parameters:
    ///   - host: the address to listen on (e.g. "127.0.0.1").
    ///   - port: the TCP port; 0 picks a free one.
    ///   - configuration: protocol settings, host keys and limits.
    ///   - authenticator: decides logins.
    ///   - sessions: serves the subsystems and commands clients ask for.
    ///   - group: the event loops to run on.
    ///   - logger: receives connection logs (never secrets).
    /// - Throws: when the address cannot be bound or the configuration is invalid.
    public static func bind(
        host: String,
        port: Int,
        configuration: SSHServerConfiguration,
        authenticator: any SSHServerAuthenticator,
        sessions: any SSHSessionHandlerFactory,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "ferry.ssh")
    ) async throws -> SSHServer {
        // Validate once up front, so that a bad configuration fails here and not per connection.
        _ = try SSHConnectionEngine(configuration: configuration.connection)
        let connections = NIOLockedValueBox(0)
        let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let maximum = configuration.maximumConnections
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            // Reads start small, so an idle connection holds little, and grow with the traffic (up to 1 MiB).
            .childChannelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 4 * 1024, maximum: 1024 * 1024)
            )
            .childChannelInitializer { channel in
                let admitted = connections.withLockedValue { count -> Bool in
                    guard count < maximum else { return false }
                    count += 1
                    return true
                }
                guard admitted else {
                    logger.warning("connection refused: too many connections")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
                if let admission = configuration.admission {
                    switch admission(channel.remoteAddress) {
                    case .accept(let release):
                        channel.closeFuture.whenComplete { _ in release() }
                    case .refuse(let reason):
                        logger.warning(
                            "connection refused",
                            metadata: [
                                "ferry.client": "\(channel.remoteAddress?.hostAndPort ?? "?")", "reason": "\(reason)",
                            ]
                        )
                        return channel.close()
                    }
                }
                let id = ObjectIdentifier(channel)
                open.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = open.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    let handler = try SSHServerConnectionHandler(
                        configuration: configuration,
                        authenticator: authenticator,
                        sessionFactory: sessions,
                        logger: logger
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: host, port: port)
            .get()
        return SSHServer(channel: channel, connections: connections, open: open)
    }

    /// Connections currently open.
    public var connectionCount: Int { self.connections.withLockedValue { $0 } }

    /// Stops accepting connections; open connections continue until they end.
    public func close() async throws {
        try await self.channel.close()
    }

    /// Stops accepting connections; those already open go on.
    public func stopAccepting() async {
        try? await self.channel.close()
    }

    /// Stops accepting, waits up to `grace` for open connections to end by themselves (their transfers
    /// finishing), then closes the rest. A closed connection discards its unfinished uploads.
    ///
    /// - Parameter grace: How long connections may take to finish.
    /// - Returns: How many connections had to be closed.
    @discardableResult
    public func shutdown(grace: Duration) async -> Int {
        await self.stopAccepting()
        let deadline = ContinuousClock.now + grace
        while self.connectionCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let remaining = self.open.withLockedValue { Array($0.values) }
        for channel in remaining {
            try? await channel.close()
        }
        return remaining.count
    }
}

extension SocketAddress {
    /// `host:port`, or `[v6]:port`, for logs.
    public var hostAndPort: String {
        guard let ip = self.ipAddress else { return "\(self)" }
        let port = self.port ?? 0
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHConnection

/// A listening SSH server: accepts TCP connections and runs one ``SSHServerConnectionHandler`` on each.
public final class SSHServer: Sendable {
    private let channel: any Channel
    private let connections: NIOLockedValueBox<Int>

    /// The address the server is bound to (useful with port 0).
    public var localAddress: SocketAddress? { self.channel.localAddress }

    private init(channel: any Channel, connections: NIOLockedValueBox<Int>) {
        self.channel = channel
        self.connections = connections
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
        let maximum = configuration.maximumConnections
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .childChannelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 * 1024, maximum: 1024 * 1024)
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
        return SSHServer(channel: channel, connections: connections)
    }

    /// Connections currently open.
    public var connectionCount: Int { self.connections.withLockedValue { $0 } }

    /// Stops accepting connections; open connections continue until they end.
    public func close() async throws {
        try await self.channel.close()
    }
}

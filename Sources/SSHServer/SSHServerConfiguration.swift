import NIOCore
import SSHConnection
import SSHKeys

/// How an ``SSHServer`` listens and what it allows.
public struct SSHServerConfiguration: Sendable {
    /// Protocol settings: algorithms, host keys, limits, authentication methods, banner.
    public var connection: SSHConnectionConfiguration
    /// Time from TCP accept to successful authentication (OpenSSH's LoginGraceTime).
    public var authenticationTimeout: TimeAmount = .seconds(120)
    /// Time one key exchange may take.
    public var keyExchangeTimeout: TimeAmount = .seconds(60)
    /// Pause before answering a failed login, to slow down guessing.
    public var failureDelay: TimeAmount = .milliseconds(300)
    /// Connections served at once; further ones are closed right after accept.
    public var maximumConnections: Int = 1000
    /// How often the re-key time budget is checked.
    public var rekeyCheckInterval: TimeAmount = .seconds(30)
    /// A connection that receives nothing for this long is closed; `nil` keeps idle connections open.
    public var idleTimeout: TimeAmount? = nil
    /// Decides, right after accept, whether a connection from an address may proceed (per-address limits,
    /// bans). `nil` admits everyone up to ``maximumConnections``.
    public var admission: (@Sendable (SocketAddress?) -> SSHAdmission)? = nil

    /// Creates a configuration; `connection.role` is forced to `.server`.
    public init(connection: SSHConnectionConfiguration) {
        var connection = connection
        connection.role = .server
        self.connection = connection
    }
}

/// Whether a new connection may proceed.
public enum SSHAdmission: Sendable {
    /// Serve it; `release` is called once when it closes.
    case accept(release: @Sendable () -> Void)
    /// Close it at once; the reason is logged.
    case refuse(reason: String)
}

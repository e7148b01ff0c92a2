import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

/// Decides whether a server's host key is the one expected (known_hosts, a pinned key, a prompt…).
public protocol SSHHostKeyValidator: Sendable {
    /// Returns normally to accept; throws (ideally an ``SSHError`` with code `.hostKeyNotVerifiable` and a
    /// message saying why) to refuse.
    func validate(host: String, port: Int, key: SSHPublicKey) async throws
}

/// Accepts any host key. Only for tests and for callers that verify the key some other way.
public struct SSHAcceptAnyHostKey: SSHHostKeyValidator {
    public init() {}
    public func validate(host: String, port: Int, key: SSHPublicKey) async throws {}
}

/// Accepts exactly the given keys.
public struct SSHPinnedHostKeys: SSHHostKeyValidator {
    public var keys: [SSHPublicKey]
    public init(_ keys: [SSHPublicKey]) { self.keys = keys }
    public func validate(host: String, port: Int, key: SSHPublicKey) async throws {
        guard self.keys.contains(key) else {
            throw SSHError(.hostKeyNotVerifiable, "host key \(key.fingerprint) for \(host) is not the expected one")
        }
    }
}

/// How an ``SSHClientConnection`` connects and logs in.
public struct SSHClientConfiguration: Sendable {
    public var connection: SSHConnectionConfiguration
    public var username: String
    /// Tried in order, each only if the server offers its method.
    public var authentication: [SSHClientAuthenticationMethod]
    public var hostKeyValidator: any SSHHostKeyValidator
    public var connectTimeout: TimeAmount = .seconds(30)
    /// Time from TCP connect to successful authentication.
    public var authenticationTimeout: TimeAmount = .seconds(120)
    /// How often the re-key time budget is checked.
    public var rekeyCheckInterval: TimeAmount = .seconds(30)

    /// Creates a configuration; `connection.role` is forced to `.client`.
    public init(
        username: String,
        authentication: [SSHClientAuthenticationMethod],
        hostKeyValidator: any SSHHostKeyValidator,
        connection: SSHConnectionConfiguration = SSHConnectionConfiguration(role: .client)
    ) {
        var connection = connection
        connection.role = .client
        self.connection = connection
        self.username = username
        self.authentication = authentication
        self.hostKeyValidator = hostKeyValidator
    }
}

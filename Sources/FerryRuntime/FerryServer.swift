import Accounts
import AccountsSQLite
import Foundation
import Logging
import NIOCore
import NIOPosix
import SFTPServer
import SSHConnection
import SSHKeys
import SSHServer
import StorageLocal
import VFS

/// `ferry serve`: the SSH/SFTP service composed from a ``ServeConfiguration``.
///
/// Starting it creates the data directory, reads or generates the host keys, opens the SQLite store, imports
/// atmoz-style users from the environment, makes a first user when there is none, and listens on every
/// configured address.
public final class FerryServer: Sendable {
    /// The configuration it runs with.
    public let configuration: ServeConfiguration
    /// The listeners, one per address.
    public let listeners: [SSHServer]
    /// The users.
    public let users: any UserStore
    /// Admission, limits and bans per address.
    public let guardian: AddressGuard
    let database: SQLiteDatabase
    let sessions: FerrySessions
    let sweeper: Task<Void, Never>?
    let logger: Logger

    private init(
        configuration: ServeConfiguration,
        listeners: [SSHServer],
        users: any UserStore,
        guardian: AddressGuard,
        database: SQLiteDatabase,
        sessions: FerrySessions,
        sweeper: Task<Void, Never>?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.listeners = listeners
        self.users = users
        self.guardian = guardian
        self.database = database
        self.sessions = sessions
        self.sweeper = sweeper
        self.logger = logger
    }

    /// The addresses actually bound (useful with port 0).
    public var boundAddresses: [SocketAddress] {
        self.listeners.compactMap(\.localAddress)
    }

    /// Starts the service.
    ///
    /// - Parameters:
    ///   - configuration: What to serve and how.
    ///   - environment: Where `FERRY_USERS` (or the configured variable) is read from.
    ///   - logger: Where everything is reported.
    ///   - announce: Receives the one-time notice printed when a first user is created (its password, shown
    ///     once, and the command to connect); standard output by default. Never logged.
    /// - Returns: The running server.
    public static func start(
        configuration: ServeConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        announce: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
    ) async throws -> FerryServer {
        let dataDirectory = configuration.dataDirectory
        try FileManager.default.createDirectory(
            atPath: dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let hostKeys = try HostKeyFiles.loadOrCreate(configuration.hostKeys, logger: logger)
        let database = try SQLiteDatabase.open(dataDirectory: URL(fileURLWithPath: dataDirectory))
        let users = SQLiteUserStore(database: database)
        let recorder = TransferRecorder(log: SQLiteTransferLog(database: database), logger: logger)
        let storage = UserStorage(settings: configuration.storage)

        try await UserProvisioning.importEnvironmentUsers(
            environment[configuration.usersEnvironmentVariable],
            variable: configuration.usersEnvironmentVariable,
            into: users,
            storage: storage,
            logger: logger
        )
        if try await users.users().isEmpty {
            let first = configuration.listen.first ?? ServeConfiguration.ListenAddress(host: "127.0.0.1", port: 2222)
            announce(try await UserProvisioning.createFirstUser(in: users, listen: first))
        }

        let guardian = AddressGuard(
            policy: AddressGuard.Policy(
                maximumConnections: configuration.limits.maximumConnections,
                maximumConnectionsPerAddress: configuration.limits.maximumConnectionsPerAddress,
                banEnabled: configuration.ban.enabled,
                banFailures: configuration.ban.failures,
                banWindow: configuration.ban.window,
                banDuration: configuration.ban.duration,
                exempt: configuration.ban.exempt
            )
        )
        let authenticated = AuthenticatedUsers()
        let authenticator = FerryAuthenticator(
            store: users,
            guardian: guardian,
            recorder: recorder,
            directory: authenticated,
            logger: logger
        )
        let limits = configuration.vfsLimits
        let sessions = FerrySessions(
            users: authenticated,
            storage: storage,
            limits: limits,
            recorder: recorder,
            logger: logger
        )

        var server = configuration.sshServerConfiguration(hostKeys: hostKeys.map(\.key))
        server.connection.authenticationMethods = ["publickey", "password", "keyboard-interactive"]
        server.idleTimeout = configuration.limits.idleTimeout.map { TimeAmount($0) }
        server.admission = { address in
            switch guardian.admit(address?.ipAddress ?? "") {
            case .accepted(let ticket):
                return .accept(release: { guardian.release(ticket) })
            case .refused(let refusal):
                return .refuse(reason: refusal.description)
            }
        }

        var listeners: [SSHServer] = []
        do {
            for address in configuration.listen {
                let listener = try await SSHServer.bind(
                    host: address.host,
                    port: address.port,
                    configuration: server,
                    authenticator: authenticator,
                    sessions: sessions,
                    logger: logger
                )
                logger.notice(
                    "listening",
                    metadata: ["address": "\(listener.localAddress?.hostAndPort ?? "\(address)")"]
                )
                listeners.append(listener)
            }
        } catch {
            for listener in listeners { try? await listener.close() }
            throw error
        }
        return FerryServer(
            configuration: configuration,
            listeners: listeners,
            users: users,
            guardian: guardian,
            database: database,
            sessions: sessions,
            sweeper: try await Self.startSweeping(configuration.storage, logger: logger),
            logger: logger
        )
    }

    /// Stops accepting connections, lets open ones finish within the configured grace period, then closes
    /// the rest (their unfinished uploads are discarded, never published).
    public func shutdown() async {
        self.logger.notice(
            "shutting down",
            metadata: ["grace": "\(ConfigurationValues.format(self.configuration.shutdownGrace))"]
        )
        var closed = 0
        await withTaskGroup(of: Int.self) { group in
            for listener in self.listeners {
                group.addTask { await listener.shutdown(grace: self.configuration.shutdownGrace) }
            }
            for await count in group { closed += count }
        }
        if closed > 0 {
            self.logger.warning("connections closed at the end of the grace period", metadata: ["count": "\(closed)"])
        }
        // Closed sessions still discard their uploads and record that; the database stays open until they have.
        if !(await self.sessions.waitForSessionsToEnd(timeout: .seconds(10))) {
            self.logger.warning(
                "sessions still ending after 10 s",
                metadata: ["count": "\(self.sessions.activeSessions)"]
            )
        }
        self.sweeper?.cancel()
        try? self.database.close()
        self.logger.notice("stopped")
    }

    /// Uploads left by a crash sit under hidden temporary names; they are removed once untouched for this long
    /// (an upload in progress writes to its file, so it is never this old while alive).
    static let abandonedUploadAge: Duration = .seconds(30 * 60)

    /// On local storage: removes abandoned uploads now and every ten minutes.
    static func startSweeping(
        _ storage: ServeConfiguration.StorageSettings,
        logger: Logger
    ) async throws
        -> Task<Void, Never>?
    {
        guard storage.kind == .local else { return nil }
        try FileManager.default.createDirectory(
            atPath: storage.root,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let root = try await LocalStorage(root: storage.root)
        return Task {
            while !Task.isCancelled {
                do {
                    let removed = try await root.removeAbandonedUploads(olderThan: Self.abandonedUploadAge)
                    if removed > 0 {
                        logger.notice("abandoned uploads removed", metadata: ["count": "\(removed)"])
                    }
                } catch {
                    logger.warning("abandoned uploads could not be swept", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(600))
            }
        }
    }
}

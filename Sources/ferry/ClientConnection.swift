import ArgumentParser
import Logging
import NIOCore
import NIOPosix
import SFTPClient
import SSHClient
import SSHConnection
import SSHKeys
import SSHProtocol

/// The options every client command shares: how to reach and log in to the server.
struct ClientConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("P"), .customLong("port")], help: "Port (beats the URL and ~/.ssh/config).")
    var port: Int?

    @Option(help: "User name (beats the location and ~/.ssh/config).")
    var user: String?

    @Option(name: [.customShort("i"), .customLong("identity")], help: "Identity (private key) file. Repeatable.")
    var identities: [String] = []

    @Option(
        name: [.customShort("F"), .customLong("ssh-config")],
        help: "ssh_config file (default ~/.ssh/config; 'none' for no file)."
    )
    var sshConfig: String?

    @Option(help: "known_hosts file (default ~/.ssh/known_hosts, or UserKnownHostsFile).")
    var knownHosts: String?

    @Option(help: "Host key checking: yes (default), accept-new, or no.")
    var strictHostKeyChecking: String?

    @Option(help: "A file whose first line is the password (else FERRY_PASSWORD, else a prompt).")
    var passwordFile: String?

    @Flag(help: "Never prompt (for scripts): fail instead of asking for a password or passphrase.")
    var batch = false

    @Option(name: [.customShort("R"), .customLong("requests")], help: "Requests kept in flight per transfer.")
    var requests: Int = 64

    @Option(name: .customLong("ciphers"), help: "Ciphers to offer, comma-separated, in order of preference.")
    var ciphers: String?

    @Option(help: "Key exchange methods to offer, comma-separated, in order of preference.")
    var kex: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "error"

    func validate() throws {
        if let strictHostKeyChecking, Self.policy(strictHostKeyChecking) == nil {
            throw ValidationError("--strict-host-key-checking takes yes, accept-new or no")
        }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be from 1 to 65535") }
        guard (1...1024).contains(self.requests) else { throw ValidationError("-R must be from 1 to 1024") }
    }

    static func policy(_ text: String) -> SSHKnownHostsValidator.Policy? {
        switch text.lowercased() {
        case "yes", "ask", "true": .strict
        case "accept-new": .acceptNew
        case "no", "off", "false": .off
        default: nil
        }
    }

    /// The client's SSH settings: a 16 MiB receive window, so a server streaming a download is not held back
    /// waiting for window adjustments while this side writes to disk (the session's input stays bounded by
    /// the channel's backpressure either way).
    var connectionConfiguration: SSHConnectionConfiguration {
        var configuration = SSHConnectionConfiguration(role: .client, algorithms: self.algorithms)
        configuration.limits.channelWindowSize = 16 * 1024 * 1024
        return configuration
    }

    /// The default algorithms, narrowed by --ciphers and --kex.
    var algorithms: SSHAlgorithms {
        var algorithms = SSHAlgorithms()
        if let ciphers { algorithms.ciphers = ciphers.split(separator: ",").map(String.init) }
        if let kex { algorithms.keyExchange = kex.split(separator: ",").map(String.init) }
        return algorithms
    }

    var logger: Logger {
        var logger = Logger(label: "ferry")
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .error
        return logger
    }

    /// The password from --password-file or FERRY_PASSWORD, if either is given.
    func givenPassword() throws -> String? {
        if let passwordFile {
            return String(
                try Files.read(passwordFile).split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            )
        }
        return Secrets.fromEnvironment("FERRY_PASSWORD")
    }

    /// Connects and starts an SFTP session at `location`, logging in like OpenSSH's sftp would.
    ///
    /// When the server refuses every key and no password was given, asks for one on the terminal (unless
    /// `--batch`) and tries once more.
    func connect(to location: SFTPLocation, password givenPassword: String? = nil) async throws -> SFTPClient {
        let environment = SSHClientProfile.currentEnvironment
        let configFile: SSHConfigFile?
        if self.sshConfig == "none" {
            configFile = nil
        } else {
            let path = self.sshConfig ?? ((environment["HOME"] ?? Files.homeDirectory) + "/.ssh/config")
            configFile = try SSHConfigFile.load(path: path)
        }
        let profile = SSHClientProfile.resolve(
            alias: location.host,
            user: self.user ?? location.user,
            port: self.port ?? location.port,
            identityFiles: self.identities,
            knownHostsFile: self.knownHosts,
            strictHostKeyChecking: self.strictHostKeyChecking.flatMap(Self.policy),
            configFile: configFile,
            environment: environment
        )
        let batch = self.batch
        let passphrase: @Sendable (String) async throws -> String? = { path in
            if let value = Secrets.fromEnvironment("FERRY_KEY_PASSPHRASE") { return value }
            return batch ? nil : Secrets.prompt("Enter passphrase for key '\(path)': ")
        }
        let password = try givenPassword ?? self.givenPassword()
        var methods = try await profile.authenticationMethods(
            password: password,
            environment: environment,
            passphrase: passphrase
        )
        do {
            return try await self.start(profile: profile, methods: methods)
        } catch let error as SSHError where error.code == .authenticationFailed && password == nil && !batch {
            guard let typed = Secrets.prompt("\(profile.username)@\(profile.host)'s password: ") else { throw error }
            methods = [.password(typed)]
            return try await self.start(profile: profile, methods: methods)
        }
    }

    /// Connects, runs `body` with the session, and closes it whatever happens.
    func withClient<T>(_ location: SFTPLocation, _ body: (SFTPClient) async throws -> T) async throws -> T {
        let client = try await self.connect(to: location)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    private func start(profile: SSHClientProfile, methods: [SSHClientAuthenticationMethod]) async throws -> SFTPClient {
        guard !methods.isEmpty else {
            throw SSHError(
                .authenticationFailed,
                "no way to log in: no usable key (agent or -i) and no password (--password-file or FERRY_PASSWORD)"
            )
        }
        let connection: SSHClientConnection
        do {
            connection = try await SSHClientConnection.connect(
                host: profile.host,
                port: profile.port,
                configuration: profile.clientConfiguration(
                    authentication: methods,
                    connection: self.connectionConfiguration
                ),
                logger: self.logger
            )
        } catch let error as SSHError {
            throw error
        } catch {
            throw ClientConnectError(host: profile.host, port: profile.port, reason: Self.describeConnectFailure(error))
        }
        let transport = try await SFTPClientTransport.subsystem(on: connection, owningConnection: true)
        return try await SFTPClient.start(transport: transport, requestsInFlight: self.requests, logger: self.logger)
    }
}

extension ClientConnectionOptions {
    /// "Connection refused", "timed out"… rather than NIO's nested descriptions.
    static func describeConnectFailure(_ error: any Error) -> String {
        var underlying: any Error = error
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            underlying = first.error
        } else if let connection = error as? NIOConnectionError,
            let resolution = connection.dnsAAAAError ?? connection.dnsAError
        {
            return "cannot resolve the host name (\(resolution))"
        }
        if let io = underlying as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let channel = underlying as? ChannelError, case .connectTimeout = channel { return "timed out" }
        return "\(underlying)"
    }
}

/// The server could not be reached (refused, unreachable, timed out).
struct ClientConnectError: Error, CustomStringConvertible {
    var host: String
    var port: Int
    var reason: String
    var description: String { "cannot connect to \(self.host) port \(self.port): \(self.reason)" }
}

/// How client commands end: the message on standard error and an exit code a script can test.
///
/// | code | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | the operation failed on the server or locally (see the message) |
/// | 2 | no such file or directory |
/// | 3 | permission denied |
/// | 4 | cannot connect, or the connection was lost |
/// | 5 | authentication failed |
/// | 6 | the host key is unknown or has changed |
/// | 64 | bad command line |
enum ClientExit {
    static func code(for error: any Error) -> Int32 {
        switch error {
        case let error as SFTPClientError:
            switch error {
            case .status(.noSuchFile, _, _): return 2
            case .status(.permissionDenied, _, _): return 3
            case .connectionLost: return 4
            case .localFile(_, _, let errno) where errno == ENOENT: return 2
            case .localFile(_, _, let errno) where errno == EACCES || errno == EPERM: return 3
            default: return 1
            }
        case let error as SSHError:
            switch error.code {
            case .authenticationFailed: return 5
            case .hostKeyNotVerifiable: return 6
            default: return 4
            }
        case is SSHConfigError, is SFTPLocation.ParseError: return 64
        case is CancellationError: return 130
        default:
            // Socket errors from connecting (refused, unreachable, timed out).
            return 4
        }
    }

    static func message(for error: any Error) -> String {
        switch error {
        case let error as SSHError: error.message
        default: "\(error)"
        }
    }

    /// Prints `ferry: CONTEXT: message` and returns the exit code for `error`.
    static func report(_ error: any Error, context: String? = nil) -> ExitCode {
        let prefix = context.map { "ferry: \($0): " } ?? "ferry: "
        return failure(prefix + Self.message(for: error), code: Self.code(for: error))
    }
}

/// Runs a client command body, turning its errors into a message and an exit code.
func runClient(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        throw ClientExit.report(error)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

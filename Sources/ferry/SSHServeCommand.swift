import ArgumentParser
import FerryRuntime
import Logging
import NIOCore
import NIOPosix
import SSHConnection
import SSHKeys
import SSHProtocol
import SSHServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct SSHServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh-serve",
        abstract: "Run a bare SSH server that serves configured subsystems (for diagnostics and benchmarks).",
        discussion: """
            One user logs in (by default the one running the command), with a key from --authorized-keys \
            (by default ~/.ssh/authorized_keys) or the password in FERRY_PASSWORD. Subsystems run programs, as \
            sshd's Subsystem lines do; without --subsystem, "sftp" runs OpenSSH's sftp-server when it is \
            installed. --builtin-subsystems adds "echo" and "discard", which run inside the server. The host key \
            is created on first start in ferry-data/ unless --host-key names one.
            """
    )

    @Option(help: "Address and port to listen on.")
    var listen: String = "127.0.0.1:2222"

    @Option(
        name: .customLong("host-key"),
        help: "Host key file; created if missing (ecdsa or rsa when the name says so, else ed25519). Repeatable."
    )
    var hostKeys: [String] = []

    @Option(help: "The user that may log in (default: the current user).")
    var user: String?

    @Option(help: "authorized_keys file for that user (default: ~/.ssh/authorized_keys).")
    var authorizedKeys: String?

    @Option(help: "NAME=PROGRAM [ARGS…]: run PROGRAM for subsystem NAME. Repeatable.")
    var subsystem: [String] = []

    @Flag(help: "Serve the in-process \"echo\" and \"discard\" subsystems.")
    var builtinSubsystems = false

    @Option(help: "Comma-separated ciphers, in order of preference.")
    var ciphers: String?

    @Option(help: "Comma-separated key exchange methods.")
    var kex: String?

    @Option(help: "Comma-separated MACs.")
    var macs: String?

    @Option(help: "Re-key after this many bytes (suffixes K, M, G).")
    var rekeyLimit: String?

    @Flag(help: "Accept SHA-1 ssh-rsa signatures (off by default).")
    var allowSHA1RSA = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(help: "Print the bound port to this file once listening.")
    var portFile: String?

    func run() async throws {
        var logger = Logger(label: "ferry")
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .info
        let (host, port) = try parseHostPort(self.listen, defaultPort: 2222)
        var hostKeyPaths = self.hostKeys
        if hostKeyPaths.isEmpty {
            try Files.makeDirectory("ferry-data", mode: 0o700)
            hostKeyPaths = ["ferry-data/ssh_host_ed25519_key"]
        }
        let hostKeys = try HostKeyFiles.loadOrCreate(hostKeyPaths, logger: logger).map(\.key)
        var algorithms = SSHAlgorithms(allowSHA1RSASignatures: self.allowSHA1RSA)
        if let ciphers { algorithms.ciphers = ciphers.split(separator: ",").map(String.init) }
        if let kex { algorithms.keyExchange = kex.split(separator: ",").map(String.init) }
        if let macs { algorithms.macs = macs.split(separator: ",").map(String.init) }
        var limits = SSHLimits()
        if let rekeyLimit { limits.rekeyBytes = try parseByteCount(rekeyLimit) }
        var connection = SSHConnectionConfiguration(
            role: .server,
            algorithms: algorithms,
            limits: limits,
            hostKeys: hostKeys
        )
        connection.authenticationMethods = ["publickey", "password", "keyboard-interactive"]
        let configuration = SSHServerConfiguration(connection: connection)

        let user = self.user ?? Secrets.fromEnvironment("USER") ?? "root"
        var keys: [AuthorizedKey] = []
        let defaultKeys = Files.homeDirectory + "/.ssh/authorized_keys"
        if let authorizedKeys = self.authorizedKeys ?? (Files.exists(defaultKeys) ? defaultKeys : nil) {
            let parsed = AuthorizedKeys.parse(try Files.read(authorizedKeys))
            for problem in parsed.errors {
                logger.warning(
                    "authorized_keys line skipped",
                    metadata: [
                        "ferry.path": "\(authorizedKeys)", "line": "\(problem.line)", "error": "\(problem.message)",
                    ]
                )
            }
            keys = parsed.keys
        }
        var password = Secrets.fromEnvironment("FERRY_PASSWORD")
        if keys.isEmpty && password == nil {
            // Nobody could log in otherwise: make a password for this run only and show it once.
            let generated = Secrets.randomPassword()
            password = generated
            print(
                "No authorized keys and no FERRY_PASSWORD: password for \(user), valid until this server stops: \(generated)"
            )
        }
        let authenticator = SingleUserAuthenticator(
            username: user,
            password: password,
            keys: keys
        )
        var programs: [String: [String]] = [:]
        for entry in self.subsystem {
            guard let equals = entry.firstIndex(of: "=") else {
                throw ValidationError("--subsystem takes NAME=PROGRAM, got '\(entry)'")
            }
            let argv = entry[entry.index(after: equals)...].split(separator: " ").map(String.init)
            guard let program = argv.first, program.hasPrefix("/") else {
                throw ValidationError("--subsystem program must be an absolute path: '\(entry)'")
            }
            programs[String(entry[..<equals])] = argv
        }
        let sftpServer = "/usr/lib/openssh/sftp-server"
        if self.subsystem.isEmpty && Files.exists(sftpServer) {
            programs["sftp"] = [sftpServer]
        }
        let sessions = ConfiguredSessions(programs: programs, builtins: self.builtinSubsystems)
        let server = try await SSHServer.bind(
            host: host,
            port: port,
            configuration: configuration,
            authenticator: authenticator,
            sessions: sessions,
            logger: logger
        )
        let bound = server.localAddress?.port ?? port
        logger.info("listening", metadata: ["address": "\(host):\(bound)", "ferry.user": "\(user)"])
        if programs["sftp"] != nil {
            print("Connect with: sftp -P \(bound) \(user)@\(host)")
        }
        fflush(nil)  // all streams: the lines above must show before the server blocks
        if let portFile { try Files.write("\(bound)\n", to: portFile, mode: 0o644) }
        try await waitForTerminationSignal()
        logger.info("shutting down")
        try await server.close()
    }
}

/// Logs in one user by password (compared in constant time) or by authorized key.
struct SingleUserAuthenticator: SSHServerAuthenticator {
    let username: String
    let password: String?
    let keys: [AuthorizedKey]

    func authenticate(
        _ request: SSHAuthenticationRequest,
        clientAddress: SocketAddress?
    ) async -> SSHAuthenticationResult {
        guard request.username == self.username else { return .failure }
        switch request {
        case .password(_, let offered, _):
            guard let password = self.password else { return .failure }
            return Secrets.constantTimeEqual(offered, password) ? .success : .failure
        case .publicKey(_, let key, _):
            let address = clientAddress?.ipAddress ?? ""
            let match = self.keys.contains { $0.key == key && $0.allows(from: address) }
            return match ? .success : .failure
        }
    }
}

/// Serves configured subsystem programs and, optionally, the built-in echo and discard subsystems.
struct ConfiguredSessions: SSHSessionHandlerFactory {
    let programs: [String: [String]]
    let builtins: Bool

    func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)? {
        guard case .subsystem(let name) = program else { return nil }
        if self.builtins && name == "echo" { return SSHEchoSession() }
        if self.builtins && name == "discard" { return SSHDiscardSession() }
        guard let argv = self.programs[name] else { return nil }
        var childEnvironment = ["PATH": "/usr/bin:/bin", "USER": username, "LOGNAME": username]
        for (key, value) in environment where key == "LANG" || key.hasPrefix("LC_") {
            childEnvironment[key] = value
        }
        return SSHProcessSession(argv: argv, environment: childEnvironment)
    }
}

func parseHostPort(_ text: String, defaultPort: Int) throws -> (String, Int) {
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
        let host = String(text[text.index(after: text.startIndex)..<close])
        let rest = text[text.index(after: close)...]
        if rest.isEmpty { return (host, defaultPort) }
        guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else {
            throw ValidationError("bad address '\(text)'")
        }
        return (host, port)
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts[0].isEmpty else { throw ValidationError("bad address '\(text)' (want HOST:PORT)") }
    guard parts.count == 2 else { return (String(parts[0]), defaultPort) }
    guard let port = Int(parts[1]), (0...65535).contains(port) else {
        throw ValidationError("bad port in '\(text)'")
    }
    return (String(parts[0]), port)
}

func parseByteCount(_ text: String) throws -> UInt64 {
    let units: [Character: UInt64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    var digits = Substring(text)
    var multiplier: UInt64 = 1
    if let last = text.uppercased().last, let unit = units[last] {
        multiplier = unit
        digits = digits.dropLast()
    }
    guard let value = UInt64(digits), value > 0 else { throw ValidationError("bad byte count '\(text)'") }
    return value * multiplier
}

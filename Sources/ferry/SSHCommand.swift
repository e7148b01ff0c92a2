import ArgumentParser
import Dispatch
import Logging
import NIOCore
import SSHClient
import SSHConnection
import SSHKeys
import SSHProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Run a remote command or subsystem, connecting standard input and output to it.",
        discussion: """
            A password is read from FERRY_PASSWORD or --password-file, never from the command line; key \
            passphrases from FERRY_KEY_PASSPHRASE. Host keys are checked against ~/.ssh/known_hosts.
            """
    )

    @Argument(help: "[user@]host")
    var destination: String

    @Argument(parsing: .captureForPassthrough, help: "Command (or subsystem name with -s).")
    var command: [String] = []

    @Option(name: .shortAndLong, help: "Port.")
    var port: Int = 22

    @Option(name: .customShort("l"), help: "User name.")
    var user: String?

    @Option(name: .customShort("i"), help: "Identity (private key) file. Repeatable.")
    var identities: [String] = []

    @Flag(name: .customShort("s"), help: "Request a subsystem instead of a command.")
    var subsystem = false

    @Option(help: "known_hosts file.")
    var knownHosts: String?

    @Option(help: "yes, accept-new or no.")
    var strictHostKeyChecking: String = "yes"

    @Option(help: "A file whose first line is the password.")
    var passwordFile: String?

    @Option(help: "Comma-separated ciphers, in order of preference.")
    var ciphers: String?

    @Option(help: "Re-key after this many bytes (suffixes K, M, G).")
    var rekeyLimit: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    func run() async throws {
        var logger = Logger(label: "ferry")
        logger.logLevel = Logger.Level(rawValue: self.logLevel) ?? .warning
        var host = self.destination
        var username = self.user ?? Secrets.fromEnvironment("USER") ?? "root"
        if let at = host.lastIndex(of: "@") {
            username = String(host[..<at])
            host = String(host[host.index(after: at)...])
        }
        guard let policy = SSHKnownHostsValidator.Policy(rawValue: self.strictHostKeyChecking) else {
            throw ValidationError("--strict-host-key-checking takes yes, accept-new or no")
        }
        guard !self.command.isEmpty else { throw ValidationError("give a command (or a subsystem name with -s)") }

        var methods: [SSHClientAuthenticationMethod] = []
        for path in self.identities {
            let text = try Files.read(path)
            let passphrase =
                SSHPrivateKey.isEncrypted(fileContents: text)
                ? (Secrets.fromEnvironment("FERRY_KEY_PASSPHRASE") ?? Secrets.prompt("Passphrase for \(path): "))
                : nil
            methods.append(
                .publicKey(try SSHPrivateKey(fileContents: text, passphrase: passphrase.map { Array($0.utf8) }))
            )
        }
        if let passwordFile {
            methods.append(.password(String(try Files.read(passwordFile).split(separator: "\n").first ?? "")))
        } else if let password = Secrets.fromEnvironment("FERRY_PASSWORD") {
            methods.append(.password(password))
        }
        guard !methods.isEmpty else { throw ValidationError("no identity (-i) and no password given") }

        var algorithms = SSHAlgorithms()
        if let ciphers { algorithms.ciphers = ciphers.split(separator: ",").map(String.init) }
        var limits = SSHLimits()
        if let rekeyLimit { limits.rekeyBytes = try parseByteCount(rekeyLimit) }
        let validator = SSHKnownHostsValidator(
            path: self.knownHosts ?? Files.homeDirectory + "/.ssh/known_hosts",
            policy: policy
        )
        let configuration = SSHClientConfiguration(
            username: username,
            authentication: methods,
            hostKeyValidator: validator,
            connection: SSHConnectionConfiguration(role: .client, algorithms: algorithms, limits: limits)
        )
        let connection: SSHClientConnection
        do {
            connection = try await SSHClientConnection.connect(
                host: host,
                port: self.port,
                configuration: configuration,
                logger: logger
            )
        } catch {
            throw failure("ferry: cannot connect to \(host) port \(self.port): \(describe(error))", code: 255)
        }
        let session = try await connection.openSession()
        let commandLine = self.command.joined(separator: " ")
        do {
            if self.subsystem {
                try await session.requestSubsystem(commandLine)
            } else {
                try await session.exec(commandLine)
            }
        } catch {
            throw failure("ferry: the server refused '\(commandLine)'", code: 255)
        }
        let exit = try await pipeStandardStreams(session)
        await connection.close()
        if let signal = exit.signal {
            throw failure("ferry: remote program killed by signal \(signal)", code: 255)
        }
        if let status = exit.status, status != 0 { throw ExitCode(Int32(truncatingIfNeeded: status)) }
    }
}

/// Copies our stdin to the session and its stdout/stderr to ours until the program exits.
func pipeStandardStreams(_ session: SSHClientSession) async throws -> (status: UInt32?, signal: String?) {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            for try await chunk in session.stdout { try writeAll(chunk, to: 1) }
        }
        group.addTask {
            for await chunk in session.stderr { try? writeAll(chunk, to: 2) }
        }
        // Standard input is read by a plain thread: a blocking read must not hold a task thread.
        let input = StandardInputPump(session: session)
        input.start()
        try await group.next()
        try await group.next()
        return try await session.waitForExit()
    }
}

private func writeAll(_ buffer: ByteBuffer, to fd: Int32) throws {
    try buffer.withUnsafeReadableBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("ferry: write failed: errno \(errno)", code: 1)
            }
            offset += written
        }
    }
}

/// Reads standard input on a dedicated thread and writes it to the session, honouring backpressure.
private final class StandardInputPump: @unchecked Sendable {
    let session: SSHClientSession

    init(session: SSHClientSession) { self.session = session }

    func start() {
        DispatchQueue(label: "ferry.stdin").async { self.run() }
    }

    private func run() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(0, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let data = ByteBuffer(bytes: chunk[0..<count])
            let done = DispatchSemaphore(value: 0)
            let failed = FailureFlag()
            let session = self.session
            Task {
                do { try await session.write(data) } catch { failed.set() }
                done.signal()
            }
            done.wait()
            if failed.isSet { return }
        }
        let done = DispatchSemaphore(value: 0)
        let session = self.session
        Task {
            try? await session.sendEOF()
            done.signal()
        }
        done.wait()
    }
}

private final class FailureFlag: @unchecked Sendable {
    private var value = false
    func set() { self.value = true }
    var isSet: Bool { self.value }
}

/// Prints `message` on standard error and returns the exit code to throw.
func failure(_ message: String, code: Int32) -> ExitCode {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    return ExitCode(code)
}

func describe(_ error: any Error) -> String {
    if let error = error as? SSHError { return error.message }
    return "\(error)"
}

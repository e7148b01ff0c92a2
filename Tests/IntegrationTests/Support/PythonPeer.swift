// Runs the Python SSH peers in Tests/IntegrationTests/Peers (paramiko and asyncssh clients and servers,
// datagen.py), found next to this file through #filePath.
//
// The interpreter is $FERRY_TEST_PYTHON, else the virtualenv scripts/test.sh makes
// ($FERRY_TEST_VENV, default ${XDG_CACHE_HOME:-~/.cache}/ferry-tests/venv), else python3 from PATH.
//
// Clients print one JSON line, decoded into `PeerClientReport`:
//
//     var options = PeerClientOptions(port: port, subsystem: "echo")
//     options.keyFiles = [key.privateKeyPath]
//     options.sendBytes = 64 << 20
//     let report = try await PythonPeer.runClient(.asyncsshClient, options).requireOK()
//     #expect(report.sha256Received == report.sha256Sent)
//
// Servers listen on 127.0.0.1, print "READY <port>", then one JSON line per authentication, channel
// and connection (`PeerServerEvent`):
//
//     let server = try await PythonPeer.startServer(
//         .paramikoServer, hostKeys: [hostKey.privateKeyPath], authorizedKeysFile: path)
//     defer { server.stop() }
//     ... connect to server.port ...
//     let channel = try await server.waitForEvent { $0.event == "channel" }

import Foundation

enum PythonPeer {
    enum Script: String, Sendable, CaseIterable {
        case paramikoClient = "paramiko_client.py"
        case asyncsshClient = "asyncssh_client.py"
        case paramikoServer = "paramiko_server.py"
        case asyncsshServer = "asyncssh_server.py"
        case datagen = "datagen.py"
        case webhookReceiver = "webhook_receiver.py"
    }

    /// The folder holding the peer scripts.
    static let peersDirectory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Peers")
        .path

    /// The Python interpreter used for the peers (see the file header).
    static var python: String {
        let environment = ProcessInfo.processInfo.environment
        if let python = environment["FERRY_TEST_PYTHON"], !python.isEmpty {
            return python
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.cache"
        let venv = environment["FERRY_TEST_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(cache)/ferry-tests/venv"
        if FileManager.default.isExecutableFile(atPath: "\(venv)/bin/python3") {
            return "\(venv)/bin/python3"
        }
        return TestProcess.which("python3") ?? "python3"
    }

    static func path(of script: Script) -> String {
        "\(peersDirectory)/\(script.rawValue)"
    }

    /// The command line running `script` with `arguments`.
    static func command(_ script: Script, _ arguments: [String], environment: [String: String] = [:]) -> TestCommand {
        var environment = environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        return TestCommand(python, [path(of: script)] + arguments, environment: environment)
    }

    /// Runs a peer to completion.
    static func run(
        _ script: Script,
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: TestInput = .none,
        timeout: Duration = .seconds(300)
    ) async throws -> ProcessResult {
        try await TestProcess.run(command(script, arguments, environment: environment), stdin: stdin, timeout: timeout)
    }

    /// Runs a client peer and decodes its JSON line. Does not throw when the peer reports failure:
    /// check `ok` or call `requireOK()`. Throws when it printed no JSON line (e.g. a usage error).
    static func runClient(
        _ script: Script,
        _ options: PeerClientOptions,
        timeout: Duration = .seconds(300)
    ) async throws -> PeerClientReport {
        try await runClient(script, options.arguments, environment: options.environment, timeout: timeout)
    }

    static func runClient(
        _ script: Script,
        _ arguments: [String],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> PeerClientReport {
        let result = try await run(script, arguments, environment: environment, timeout: timeout)
        guard let line = result.stdoutText.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
            throw TestProcessError(
                reason: .failed,
                command: result.command,
                status: result.status,
                stdout: result.stdoutText,
                stderr: result.stderrText
            )
        }
        var report = try jsonDecoder.decode(PeerClientReport.self, from: Data(line.utf8))
        report.json = String(line)
        report.processStatus = result.status
        report.processStderr = result.stderrText
        return report
    }

    /// Starts a server peer (its `--port` defaults to 0: any free port) and waits for "READY <port>".
    static func startServer(
        _ script: Script,
        _ arguments: [String],
        environment: [String: String] = [:],
        readyTimeout: Duration = .seconds(30)
    ) async throws -> PeerServer {
        var arguments = arguments
        if !arguments.contains("--port") {
            arguments += ["--port", "0"]
        }
        let process = try TestProcess.start(command(script, arguments, environment: environment))
        do {
            let line = try await process.waitForLine(prefix: "READY ", timeout: readyTimeout)
            guard let port = Int(line.dropFirst("READY ".count).trimmingCharacters(in: .whitespaces)) else {
                throw TestProcessError(reason: .outputNotSeen("READY <port>"), command: process.command.description)
            }
            return PeerServer(port: port, process: process)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Starts a server peer accepting `user` (default: the current user) with `password` and/or the keys
    /// in `authorizedKeysFile`.
    static func startServer(
        _ script: Script,
        hostKeys: [String],
        authorizedKeysFile: String? = nil,
        password: String? = nil,
        user: String? = nil,
        rekeyBytes: Int? = nil,
        maxConnections: Int? = nil,
        extraArguments: [String] = [],
        readyTimeout: Duration = .seconds(30)
    ) async throws -> PeerServer {
        var arguments: [String] = []
        for key in hostKeys { arguments += ["--host-key", key] }
        if let authorizedKeysFile { arguments += ["--authorized-keys", authorizedKeysFile] }
        if let user { arguments += ["--user", user] }
        if let rekeyBytes { arguments += ["--rekey-bytes", String(rekeyBytes)] }
        if let maxConnections { arguments += ["--max-connections", String(maxConnections)] }
        var environment: [String: String] = [:]
        if let password {
            arguments += ["--password-env", passwordVariable]
            environment[passwordVariable] = password
        }
        return try await startServer(
            script,
            arguments + extraArguments,
            environment: environment,
            readyTimeout: readyTimeout
        )
    }

    /// The environment variable carrying passwords to the peers (never on their command line).
    static let passwordVariable = "FERRY_TEST_PEER_PASSWORD"

    fileprivate static let jsonDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}

/// Command line of paramiko_client.py / asyncssh_client.py.
struct PeerClientOptions: Sendable {
    var host = "127.0.0.1"
    var port: Int
    /// nil: the current user.
    var user: String?
    var keyFiles: [String] = []
    /// Passed through the environment.
    var password: String?
    var knownHostsFile: String?
    /// "accept", "check" or "record"; nil: "check" with a known_hosts file, else "accept".
    var hostKeyPolicy: String?
    var exec: String?
    var subsystem: String?
    /// Deterministic bytes to send (see `TestData.writeDeterministic`), then `sendFile`, then EOF.
    var sendBytes = 0
    var seed = 0
    var sendFile: String?
    /// Received stdout data is also written here.
    var outputFile: String?
    var rekeyBytes: Int?
    var expectExitStatus: Int?
    var expectAuthFailure = false
    /// The peer's own time limit (it prints a failure line and exits 3).
    var timeoutSeconds: Int?
    /// Peer-specific options, e.g. ["--disabled-algorithms", #"{"pubkeys": ["rsa-sha2-512"]}"#] (paramiko)
    /// or ["--kex-algs", "curve25519-sha256"] (asyncssh).
    var extraArguments: [String] = []

    init(port: Int, exec: String? = nil, subsystem: String? = nil) {
        self.port = port
        self.exec = exec
        self.subsystem = subsystem
    }

    var arguments: [String] {
        var arguments = ["--host", host, "--port", String(port)]
        if let user { arguments += ["--user", user] }
        for key in keyFiles { arguments += ["--key", key] }
        if password != nil { arguments += ["--password-env", PythonPeer.passwordVariable] }
        if let knownHostsFile { arguments += ["--known-hosts", knownHostsFile] }
        if let hostKeyPolicy { arguments += ["--host-key-policy", hostKeyPolicy] }
        if let exec { arguments += ["--exec", exec] }
        if let subsystem { arguments += ["--subsystem", subsystem] }
        if sendBytes > 0 { arguments += ["--send-bytes", String(sendBytes), "--seed", String(seed)] }
        if let sendFile { arguments += ["--send-file", sendFile] }
        if let outputFile { arguments += ["--output", outputFile] }
        if let rekeyBytes { arguments += ["--rekey-bytes", String(rekeyBytes)] }
        if let expectExitStatus { arguments += ["--expect-exit-status", String(expectExitStatus)] }
        if expectAuthFailure { arguments.append("--expect-auth-failure") }
        if let timeoutSeconds { arguments += ["--timeout", String(timeoutSeconds)] }
        return arguments + extraArguments
    }

    var environment: [String: String] {
        password.map { [PythonPeer.passwordVariable: $0] } ?? [:]
    }
}

/// The JSON line of a client peer.
struct PeerClientReport: Sendable, Decodable, CustomStringConvertible {
    var ok: Bool
    /// "paramiko" or "asyncssh".
    var peer: String
    var version: String?
    /// "accepted", "refused", or nil when the connection failed before authentication.
    var auth: String?
    var error: String?
    var exitStatus: Int?
    var bytesSent: Int?
    var sha256Sent: String?
    var bytesReceived: Int?
    var sha256Received: String?
    /// The channel's stderr (first 4 KiB).
    var stderr: String?
    /// Completed key exchanges, the first one included.
    var kexCount: Int?
    /// The server's host key, "<algorithm> <base64>".
    var hostKey: String?
    /// Negotiated algorithms: "kex", "cipher_cs", "cipher_sc", "mac_cs", "mac_sc" (and "host_key" for
    /// paramiko); values may be null.
    var algorithms: [String: String?]?
    var elapsed: Double?

    /// The raw JSON line, the peer's exit status and its stderr (diagnostics).
    var json: String?
    var processStatus: Int32?
    var processStderr: String?

    /// Throws unless the peer reported success.
    @discardableResult
    func requireOK() throws -> PeerClientReport {
        guard ok else { throw PeerFailure(description: description) }
        return self
    }

    var description: String {
        "\(peer) client: \(json ?? "?")\n--- peer stderr:\n\(processStderr ?? "")"
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    var description: String
}

/// One JSON line of a server peer: "auth" (method, user, accepted, key_type), "channel" (kind, name,
/// bytes_received, sha256_received, bytes_sent, exit_status, error) or "connection" (kex_count, error).
struct PeerServerEvent: Sendable, Decodable {
    var event: String
    var peer: String?
    var method: String?
    var user: String?
    var accepted: Bool?
    var keyType: String?
    var kind: String?
    var name: String?
    var bytesReceived: Int?
    var sha256Received: String?
    var bytesSent: Int?
    var exitStatus: Int?
    var kexCount: Int?
    var error: String?
}

/// A running server peer; see the file header.
final class PeerServer: @unchecked Sendable {
    let host = "127.0.0.1"
    let port: Int
    let process: RunningProcess

    init(port: Int, process: RunningProcess) {
        self.port = port
        self.process = process
    }

    deinit {
        stop()
    }

    /// The events printed so far.
    var events: [PeerServerEvent] {
        process.stdoutText.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return try? PythonPeer.jsonDecoder.decode(PeerServerEvent.self, from: Data(line.utf8))
        }
    }

    /// The server's stderr so far.
    var log: String { process.stderrText }

    /// Waits for the first event matching `predicate`.
    func waitForEvent(
        timeout: Duration = .seconds(60),
        where predicate: @Sendable (PeerServerEvent) -> Bool
    ) async throws -> PeerServerEvent {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let event = events.first(where: predicate) {
                return event
            }
            if !process.isRunning || ContinuousClock.now >= deadline {
                throw TestProcessError(
                    reason: process.isRunning ? .outputNotSeen("a matching event") : .exitedEarly,
                    command: process.command.description,
                    stdout: process.stdoutText,
                    stderr: process.stderrText
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the server to exit by itself (e.g. after `maxConnections`).
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        try await process.waitForExit(timeout: timeout)
    }

    /// Stops the server (process group and descendants). Safe to call more than once.
    func stop() {
        process.terminate()
    }
}

// `ferry serve` as a separate process on a free 127.0.0.1 port, with its own data directory, for tests that
// drive it with real clients.
//
//     let server = try await FerryServeProcess.start(in: dir, users: "alice:secret:::in")
//     var client = try OpenSSHClient(port: server.port, directory: dir, password: "secret")
//     client.user = "alice"
//     client.knownHostsFile = try server.knownHostsFile()
//     ...
//     let transfers = try await server.transfers(json: true)
//
// Users come from FERRY_USERS (atmoz's `user:pass[:e][:uid[:gid[:dirs]]]`, space-separated) or are added with
// ``addUser(_:password:keys:permissions:)`` (`ferry user add`, which works while the server runs).

import Foundation

#if canImport(Glibc)
import Glibc
#endif

final class FerryServeProcess: Sendable {
    let port: Int
    let dataDirectory: String
    let process: RunningProcess

    private init(port: Int, dataDirectory: String, process: RunningProcess) {
        self.port = port
        self.dataDirectory = dataDirectory
        self.process = process
    }

    /// Starts `ferry serve` and waits until it accepts connections.
    ///
    /// - Parameters:
    ///   - directory: The test's directory; the data directory is created inside it.
    ///   - users: An atmoz-style user list for FERRY_USERS, if any.
    ///   - storage: `local`, `memory` or `memory-object`.
    ///   - environment: More FERRY_* settings (e.g. `FERRY_LIMITS_IDLE_TIMEOUT`).
    ///   - arguments: More command-line options.
    static func start(
        in directory: TemporaryDirectory,
        name: String = "data",
        users: String? = nil,
        storage: String = "local",
        environment: [String: String] = [:],
        arguments: [String] = []
    ) async throws -> FerryServeProcess {
        let port = FreePort.allocate()
        let data = directory.path(name)
        var env = environment
        if let users { env["FERRY_USERS"] = users }
        env["FERRY_LOG_LEVEL"] = env["FERRY_LOG_LEVEL"] ?? "info"
        let process = try TestProcess.start(
            FerryExecutable.path,
            ["serve", "--data-dir", data, "--listen", "127.0.0.1:\(port)", "--storage", storage] + arguments,
            environment: env
        )
        let server = FerryServeProcess(port: port, dataDirectory: data, process: process)
        guard try await FreePort.waitUntilAccepting(port, timeout: .seconds(60), while: { process.isRunning }) else {
            throw FerryServeError("ferry serve did not start listening on \(port)\n\(process.stderrText)")
        }
        return server
    }

    /// Starts `ferry serve` again on a stopped server's port and data directory (same users, same host keys).
    static func restart(
        _ old: FerryServeProcess,
        storage: String = "local",
        environment: [String: String] = [:]
    ) async throws -> FerryServeProcess {
        var env = environment
        env["FERRY_LOG_LEVEL"] = env["FERRY_LOG_LEVEL"] ?? "info"
        let process = try TestProcess.start(
            FerryExecutable.path,
            ["serve", "--data-dir", old.dataDirectory, "--listen", "127.0.0.1:\(old.port)", "--storage", storage],
            environment: env
        )
        let server = FerryServeProcess(port: old.port, dataDirectory: old.dataDirectory, process: process)
        guard try await FreePort.waitUntilAccepting(old.port, timeout: .seconds(60), while: { process.isRunning })
        else {
            throw FerryServeError("ferry serve did not start listening on \(old.port) again\n\(process.stderrText)")
        }
        return server
    }

    /// A known_hosts file holding the server's host keys, for strict host key checking.
    func knownHostsFile() throws -> String {
        let keys = self.dataDirectory + "/host_keys"
        var lines = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: keys).sorted() where name.hasSuffix(".pub") {
            let line = try String(contentsOfFile: keys + "/" + name, encoding: .utf8)
            let fields = line.split(separator: " ")
            lines += "[127.0.0.1]:\(self.port) \(fields[0]) \(fields[1])\n"
        }
        let path = self.dataDirectory + "/test_known_hosts"
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `ferry ARGS --data-dir DATA` against this server's data directory.
    func ferry(_ arguments: [String], stdin: TestInput = .none) async throws -> ProcessResult {
        try await TestProcess.run(
            FerryExecutable.path,
            arguments + ["--data-dir", self.dataDirectory],
            stdin: stdin,
            timeout: .seconds(60)
        )
    }

    /// Adds a user with `ferry user add` (password on standard input, keys from files).
    func addUser(_ name: String, password: String? = nil, keys: [String] = [], permissions: String? = nil) async throws
    {
        var arguments = ["user", "add", name]
        arguments += password == nil ? ["--no-password"] : ["--password-stdin"]
        for key in keys { arguments += ["--key", key] }
        if let permissions { arguments += ["--permissions", permissions] }
        _ = try await self.ferry(arguments, stdin: password.map { .data(Data(($0 + "\n").utf8)) } ?? .none)
            .requireSuccess()
    }

    /// The transfer log, one JSON object per record.
    func transfers(user: String? = nil) async throws -> [[String: Any]] {
        var arguments = ["transfers", "--json"]
        if let user { arguments += ["--user", user] }
        let result = try await self.ferry(arguments).requireSuccess()
        return try result.stdoutText.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// Where a user's files live on disk (local storage).
    func userDirectory(_ name: String) -> String {
        self.dataDirectory + "/home/" + name
    }

    /// Sends a signal to the server.
    func signal(_ signal: Int32) {
        kill(self.process.pid, signal)
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    @discardableResult
    func stop(timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        self.signal(SIGTERM)
        return try await self.process.waitForExit(timeout: timeout)
    }

    /// Everything the server logged so far.
    var log: String { self.process.stderrText }
}

struct FerryServeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

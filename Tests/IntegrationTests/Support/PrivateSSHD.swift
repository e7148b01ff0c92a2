// A private OpenSSH server for tests: `/usr/sbin/sshd -D -e -f <tmp>/sshd_config` on 127.0.0.1 and a
// free port, running as the current user (root). It never touches the system's sshd, its config or its
// host keys: host keys are generated with ssh-keygen into a temporary directory, which also holds
// authorized_keys (from `Configuration.authorizedKeys`), the pid file and the config.
//
// Defaults: StrictModes no, UsePAM no, PermitRootLogin yes, PasswordAuthentication no (password logins
// also need a password for the user in /etc/shadow, which tests do not set), LogLevel VERBOSE, and the
// subsystems `echo` (/bin/cat), `discard` (reads and drops everything) and `sftp` (internal-sftp).
// `Configuration.extraConfig` lines (e.g. "RekeyLimit 1M", "Ciphers aes128-ctr") go before the
// defaults, because sshd keeps the first value it reads for a keyword; lines from the first "Match"
// on go at the end.
//
//     let sshd = try await PrivateSSHD.start(.init(authorizedKeys: [key.authorizedKeysLine]))
//     defer { sshd.stop() }
//     try sshd.writeKnownHosts(to: dir.path("known_hosts"))
//     ... connect to sshd.host:sshd.port ...
//
// or `try await PrivateSSHD.withServer(configuration) { sshd in ... }`, which always stops it.
// sshd's log (stderr, thanks to -e) is in `log`; include it in failure messages.

import Foundation

final class PrivateSSHD: @unchecked Sendable {
    struct Configuration: Sendable {
        /// authorized_keys lines ("ssh-ed25519 AAAA... comment") accepted for any user.
        var authorizedKeys: [String] = []
        var hostKeyTypes: [TestKeyType] = [.ed25519, .ecdsa(), .rsa()]
        var passwordAuthentication = false
        /// Subsystem name -> command line run by the user's shell.
        var subsystems: [String: String] = [
            "echo": "/bin/cat",
            "discard": "/bin/sh -c 'cat >/dev/null'",
            "sftp": "internal-sftp",
        ]
        /// Extra sshd_config lines; see the file header for where they go.
        var extraConfig: [String] = []
        var logLevel = "VERBOSE"
        var startupTimeout: Duration = .seconds(15)

        init(authorizedKeys: [String] = [], extraConfig: [String] = []) {
            self.authorizedKeys = authorizedKeys
            self.extraConfig = extraConfig
        }
    }

    static let executable = "/usr/sbin/sshd"
    let host = "127.0.0.1"
    let port: Int
    let configuration: Configuration
    let directory: TemporaryDirectory
    let hostKeys: [TestKeyPair]
    private let process: RunningProcess

    /// Host public keys as "<algorithm> <base64>".
    var hostPublicKeys: [String] { hostKeys.map(\.authorizedKeysLine) }

    /// known_hosts lines for this server: "[127.0.0.1]:<port> <algorithm> <base64>".
    var knownHostsLines: [String] { hostPublicKeys.map { "[\(host)]:\(port) \($0)" } }

    var configPath: String { directory.path("sshd_config") }

    /// What sshd has logged so far.
    var log: String { process.stderrText }

    var isRunning: Bool { process.isRunning }

    /// Writes (replaces) a known_hosts file listing this server's host keys.
    func writeKnownHosts(to path: String) throws {
        try Data((knownHostsLines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Generates host keys, writes the config, starts sshd and waits until it accepts connections.
    static func start(_ configuration: Configuration = Configuration()) async throws -> PrivateSSHD {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw PrivateSSHDError(
                "\(executable) is missing (Debian package openssh-server; scripts/test.sh installs it)"
            )
        }
        try makePrivilegeSeparationDirectory()
        let directory = try TemporaryDirectory(prefix: "ferry-sshd")
        let hostKeys = try await withThrowingTaskGroup(of: TestKeyPair.self) { group in
            for type in configuration.hostKeyTypes {
                group.addTask {
                    try await TestKeyPair.generate(
                        type,
                        in: directory,
                        name: "ssh_host_\(type)_key",
                        comment: "ferry-test-host"
                    )
                }
            }
            var keys: [TestKeyPair] = []
            for try await key in group { keys.append(key) }
            // Keep the configured order: the first HostKey is sshd's first offer.
            return configuration.hostKeyTypes.compactMap { type in keys.first { $0.type == type } }
        }
        try directory.write(
            configuration.authorizedKeys.map { $0 + "\n" }.joined(),
            to: "authorized_keys",
            permissions: 0o600
        )

        var lastError: PrivateSSHDError?
        for attempt in 1...3 {
            let port = FreePort.allocate()
            let config = configText(configuration, port: port, directory: directory, hostKeys: hostKeys)
            let configPath = try directory.write(config, to: "sshd_config", permissions: 0o600)
            if attempt == 1 {
                let check = try await TestProcess.run(executable, ["-t", "-f", configPath], timeout: .seconds(30))
                guard check.succeeded else {
                    throw PrivateSSHDError("sshd rejects its config:\n\(check.stderrText)\n--- config:\n\(config)")
                }
            }
            let process = try TestProcess.start(executable, ["-D", "-e", "-f", configPath])
            let up = try await FreePort.waitUntilAccepting(port, timeout: configuration.startupTimeout) {
                process.isRunning
            }
            if up && process.isRunning {
                return PrivateSSHD(
                    port: port,
                    configuration: configuration,
                    directory: directory,
                    hostKeys: hostKeys,
                    process: process
                )
            }
            process.terminate()
            lastError = PrivateSSHDError("sshd did not start on 127.0.0.1:\(port):\n\(process.stderrText)")
            // Only a port taken between allocation and bind is worth another try.
            guard process.stderrText.contains("Address already in use") else { break }
        }
        throw lastError ?? PrivateSSHDError("sshd did not start")
    }

    /// Starts a server, runs `body` with it and stops the server however `body` ends.
    static func withServer<T>(
        _ configuration: Configuration = Configuration(),
        _ body: (PrivateSSHD) async throws -> T
    ) async throws -> T {
        let server = try await start(configuration)
        defer { server.stop() }
        return try await body(server)
    }

    private init(
        port: Int,
        configuration: Configuration,
        directory: TemporaryDirectory,
        hostKeys: [TestKeyPair],
        process: RunningProcess
    ) {
        self.port = port
        self.configuration = configuration
        self.directory = directory
        self.hostKeys = hostKeys
        self.process = process
    }

    deinit {
        stop()
    }

    /// Stops sshd and every session process it started (those call setsid(), so they are found
    /// through the process tree, not the process group). Safe to call more than once.
    func stop() {
        process.terminate()
    }

    private static func configText(
        _ configuration: Configuration,
        port: Int,
        directory: TemporaryDirectory,
        hostKeys: [TestKeyPair]
    ) -> String {
        let firstMatch =
            configuration.extraConfig.firstIndex {
                $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("match ")
            } ?? configuration.extraConfig.endIndex
        var lines = ["# Written by the integration tests; extra lines first: sshd keeps a keyword's first value."]
        lines += configuration.extraConfig[..<firstMatch]
        lines += [
            "ListenAddress \(PrivateSSHD.loopback):\(port)",
            "AddressFamily inet",
        ]
        lines += hostKeys.map { "HostKey \($0.privateKeyPath)" }
        lines += [
            "PidFile \(directory.path("sshd.pid"))",
            "AuthorizedKeysFile \(directory.path("authorized_keys"))",
            "StrictModes no",
            "UsePAM no",
            "PermitRootLogin yes",
            "PubkeyAuthentication yes",
            "PasswordAuthentication \(configuration.passwordAuthentication ? "yes" : "no")",
            "KbdInteractiveAuthentication no",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            "X11Forwarding no",
            "LogLevel \(configuration.logLevel)",
        ]
        lines += configuration.subsystems.sorted { $0.key < $1.key }.map { "Subsystem \($0.key) \($0.value)" }
        lines += configuration.extraConfig[firstMatch...]
        return lines.joined(separator: "\n") + "\n"
    }

    private static let loopback = "127.0.0.1"

    /// sshd refuses to start without its privilege separation directory (normally made by systemd).
    private static func makePrivilegeSeparationDirectory() throws {
        let path = "/run/sshd"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o755]
            )
        } catch {
            throw PrivateSSHDError("cannot create sshd's privilege separation directory \(path): \(error)")
        }
    }
}

struct PrivateSSHDError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

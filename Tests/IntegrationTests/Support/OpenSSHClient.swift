// Command lines for OpenSSH's ssh, sftp and scp that never read or write the user's own files: every
// command gets `-F /dev/null` (no ~/.ssh/config), `UserKnownHostsFile` in the test's directory,
// `GlobalKnownHostsFile=/dev/null`, `IdentitiesOnly=yes` with explicit `-i` keys, no agent, and
// `BatchMode=yes` (never prompt) unless a password is given.
//
// Password logins use SSH_ASKPASS with SSH_ASKPASS_REQUIRE=force and a two-line askpass script in the
// test's directory that prints the password from the environment (works without a terminal; the
// password never appears on a command line or on disk).
//
//     var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
//     client.hostKeyChecking = .acceptNew
//     let result = try await TestProcess.run(client.ssh(subsystem: "echo"), stdin: .data(payload))
//     try await TestProcess.run(client.sftp(batch: ["put \(local) upload.bin", "bye"])).requireSuccess()
//     try await TestProcess.run(client.scp([local], to: client.remote("copy.bin"))).requireSuccess()

import Foundation

struct OpenSSHClient: Sendable {
    enum HostKeyChecking: String, Sendable {
        /// Host key must already be in `knownHostsFile` (StrictHostKeyChecking=yes).
        case strict = "yes"
        /// Unknown host keys are added to `knownHostsFile`, changed ones refused.
        case acceptNew = "accept-new"
        /// Anything goes (StrictHostKeyChecking=no).
        case off = "no"
    }

    var host = "127.0.0.1"
    var port: Int
    /// Login name; nil logs in as the current user.
    var user: String?
    var identityFiles: [String]
    /// When set, log in with this password (keyboard-interactive or password) instead of keys.
    var password: String?
    var knownHostsFile: String
    var hostKeyChecking: HostKeyChecking
    /// Extra `-o` options, e.g. "Ciphers=aes128-ctr", "RekeyLimit=1M", "HostKeyAlgorithms=ssh-ed25519".
    var options: [String] = []
    /// Adds -v (ssh's debug output goes to stderr).
    var verbose = false
    private let directoryPath: String
    private var askpassPath: String { directoryPath + "/ferry-askpass.sh" }

    /// `directory` receives the askpass script and, unless `knownHostsFile` is given, "known_hosts".
    init(
        port: Int,
        directory: TemporaryDirectory,
        identityFiles: [String] = [],
        password: String? = nil,
        knownHostsFile: String? = nil,
        hostKeyChecking: HostKeyChecking = .strict
    ) throws {
        self.port = port
        self.identityFiles = identityFiles
        self.password = password
        self.knownHostsFile = knownHostsFile ?? directory.path("known_hosts")
        self.hostKeyChecking = hostKeyChecking
        directoryPath = directory.path
        if !FileManager.default.fileExists(atPath: directory.path("ferry-askpass.sh")) {
            try directory.write(
                "#!/bin/sh\nprintf '%s\\n' \"$FERRY_TEST_ASKPASS_PASSWORD\"\n",
                to: "ferry-askpass.sh",
                permissions: 0o700
            )
        }
    }

    /// `ssh ... host command...`: ssh joins the words with spaces and the remote side runs that string
    /// (OpenSSH's sshd through the user's shell).
    func ssh(_ command: [String]) -> TestCommand {
        TestCommand("ssh", sshOptions(portFlag: "-p") + [destination] + command, environment: environment)
    }

    func ssh(_ command: String) -> TestCommand {
        ssh([command])
    }

    /// `ssh -s ... host name`: opens subsystem `name`; stdin/stdout are its data stream.
    func ssh(subsystem name: String) -> TestCommand {
        TestCommand("ssh", sshOptions(portFlag: "-p") + ["-s", destination, name], environment: environment)
    }

    /// `sftp -b <batch file> ...`: runs the commands (one per element) and stops at the first failure
    /// (prefix a command with "-" to ignore its failure). `batchFile` defaults to stdin ("-"): pass the
    /// commands as stdin then, e.g. `stdin: .data(Data(lines.joined(separator: "\n").utf8))`; the
    /// `batch:` form writes them to a file in the client's directory.
    func sftp(batchFile: String = "-", extraArguments: [String] = []) -> TestCommand {
        TestCommand(
            "sftp",
            sshOptions(portFlag: "-P") + extraArguments + ["-b", batchFile, destination],
            environment: environment
        )
    }

    func sftp(batch commands: [String], extraArguments: [String] = []) throws -> TestCommand {
        let file = "\(directoryPath)/sftp-batch-\(UUID().uuidString)"
        try Data((commands.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        return sftp(batchFile: file, extraArguments: extraArguments)
    }

    /// `scp ... sources... target`; name remote files with `remote(_:)`. `legacyProtocol` adds -O
    /// (the old scp/rcp protocol instead of SFTP, which OpenSSH's scp uses by default).
    func scp(
        _ sources: [String],
        to target: String,
        legacyProtocol: Bool = false,
        recursive: Bool = false
    )
        -> TestCommand
    {
        var arguments = sshOptions(portFlag: "-P")
        if legacyProtocol { arguments.append("-O") }
        if recursive { arguments.append("-r") }
        return TestCommand("scp", arguments + ["--"] + sources + [target], environment: environment)
    }

    /// "user@127.0.0.1:path" (or "127.0.0.1:path") for scp.
    func remote(_ path: String) -> String {
        "\(destination):\(path)"
    }

    /// The environment the commands need (askpass for password logins).
    var environment: [String: String] {
        guard let password else { return [:] }
        return [
            "SSH_ASKPASS": askpassPath,
            "SSH_ASKPASS_REQUIRE": "force",
            "FERRY_TEST_ASKPASS_PASSWORD": password,
        ]
    }

    private var destination: String {
        user.map { "\($0)@\(host)" } ?? host
    }

    /// Options shared by ssh, sftp and scp (they differ only in the port flag).
    func sshOptions(portFlag: String) -> [String] {
        var arguments = ["-F", "/dev/null", portFlag, String(port)]
        if verbose { arguments.append("-v") }
        var settings = [
            "UserKnownHostsFile=\(knownHostsFile)",
            "GlobalKnownHostsFile=/dev/null",
            "StrictHostKeyChecking=\(hostKeyChecking.rawValue)",
            "IdentitiesOnly=yes",
            "IdentityAgent=none",
            "ForwardAgent=no",
            "ConnectTimeout=30",
            "ServerAliveInterval=0",
        ]
        if password != nil {
            settings += [
                "BatchMode=no",
                "PubkeyAuthentication=no",
                "PreferredAuthentications=keyboard-interactive,password",
                "NumberOfPasswordPrompts=1",
            ]
        } else {
            settings += ["BatchMode=yes", "PasswordAuthentication=no", "KbdInteractiveAuthentication=no"]
        }
        // ssh keeps the first value it gets for an option: caller's options go first.
        for option in options + settings {
            arguments += ["-o", option]
        }
        for identity in identityFiles {
            arguments += ["-i", identity]
        }
        if identityFiles.isEmpty {
            // Otherwise ssh falls back to the user's default keys in ~/.ssh.
            arguments += ["-o", "IdentityFile=none"]
        }
        return arguments
    }
}

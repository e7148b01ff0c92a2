// A private OpenSSH key agent for tests: `ssh-agent -D -a <tmp>/agent.sock`, in the foreground, with its
// own socket in a temporary directory. It never touches the caller's agent (SSH_AUTH_SOCK is only set
// for the `ssh-add` runs below).
//
//     let agent = try await TestSSHAgent.start()
//     defer { agent.stop() }
//     try await agent.add(key)            // ssh-add key.privateKeyPath
//     ... SSHAgentClient(socketPath: agent.socketPath) ...

import Foundation

final class TestSSHAgent: @unchecked Sendable {
    let directory: TemporaryDirectory
    let socketPath: String
    private let process: RunningProcess

    /// The environment a client of this agent would have.
    var environment: [String: String] { ["SSH_AUTH_SOCK": socketPath] }

    private init(directory: TemporaryDirectory, socketPath: String, process: RunningProcess) {
        self.directory = directory
        self.socketPath = socketPath
        self.process = process
    }

    deinit {
        stop()
    }

    /// Starts an agent and waits until its socket exists.
    static func start() async throws -> TestSSHAgent {
        guard TestProcess.which("ssh-agent") != nil, TestProcess.which("ssh-add") != nil else {
            throw PrivateSSHDError("ssh-agent or ssh-add is missing (Debian package openssh-client)")
        }
        let directory = try TemporaryDirectory(prefix: "ferry-agent")
        let socketPath = directory.path("agent.sock")
        let process = try TestProcess.start("ssh-agent", ["-D", "-a", socketPath])
        let agent = TestSSHAgent(directory: directory, socketPath: socketPath, process: process)
        _ = try await process.waitForLine(prefix: "SSH_AUTH_SOCK=", timeout: .seconds(15))
        let deadline = ContinuousClock.now + .seconds(15)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard ContinuousClock.now < deadline, process.isRunning else {
                throw PrivateSSHDError("ssh-agent did not create \(socketPath):\n\(process.stderrText)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return agent
    }

    /// Adds a private key (and its certificate, if `<key>-cert.pub` exists) with `ssh-add`.
    func add(_ key: TestKeyPair) async throws {
        try await add(path: key.privateKeyPath)
    }

    /// Adds the private key at `path` with `ssh-add`.
    func add(path: String) async throws {
        try await TestProcess.run("ssh-add", [path], environment: environment, timeout: .seconds(30))
            .requireSuccess()
    }

    /// What the agent has logged.
    var log: String { process.stderrText }

    /// Stops the agent. Safe to call more than once.
    func stop() {
        process.terminate(grace: .zero)
    }
}

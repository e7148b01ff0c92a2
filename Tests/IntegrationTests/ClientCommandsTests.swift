import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs `ferry ls/get/put/…` with a private HOME (so no real ~/.ssh is read) and the given options.
struct FerryClientRunner {
    var home: String
    var common: [String] = []
    var environment: [String: String] = [:]

    init(home: String) throws {
        self.home = home
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
    }

    var fullEnvironment: [String: String] {
        // No agent unless a test sets one.
        ["HOME": self.home, "SSH_AUTH_SOCK": ""].merging(self.environment) { _, new in new }
    }

    /// Runs `ferry COMMAND ARGUMENTS` followed by the common options (unless `withCommonOptions` is false).
    func run(
        _ command: String,
        _ arguments: [String],
        withCommonOptions: Bool = true,
        timeout: Duration = .seconds(300)
    ) async throws -> ProcessResult {
        try await TestProcess.run(
            FerryExecutable.path,
            [command] + arguments + (withCommonOptions ? self.common : []),
            environment: self.fullEnvironment,
            timeout: timeout
        )
    }

    func start(_ command: String, _ arguments: [String]) throws -> RunningProcess {
        try TestProcess.start(
            FerryExecutable.path,
            [command] + arguments + self.common,
            environment: self.fullEnvironment
        )
    }
}

/// Polls until `condition` holds (for at most `timeout`).
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
}

@Suite("ferry ls/get/put/rm/mv/mkdir", .serialized, .timeLimit(.minutes(15)))
struct ClientCommandsTests {
    /// sshd with one authorised key, and a runner that logs in with it and checks host keys strictly.
    static func sshdClient(
        _ directory: TemporaryDirectory
    ) async throws -> (PrivateSSHD, FerryClientRunner, TestKeyPair) {
        let key = try await TestKeyPair.generate(.ed25519, in: directory, name: "client_key")
        let sshd = try await PrivateSSHD.start(.init(authorizedKeys: [key.authorizedKeysLine]))
        let knownHosts = directory.path("known_hosts")
        try sshd.writeKnownHosts(to: knownHosts)
        var runner = try FerryClientRunner(home: directory.path("home"))
        runner.common = ["-i", key.privateKeyPath, "--known-hosts", knownHosts, "--user", "root"]
        return (sshd, runner, key)
    }

    @Test("1 GiB put and get against OpenSSH's sshd, checksums equal, no partial names left")
    func oneGiBWithSSHD() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-sshd")
        let (sshd, runner, _) = try await Self.sshdClient(directory)
        defer { sshd.stop() }
        let source = directory.path("source.bin")
        try await TestData.writeRandom(size: 1 << 30, to: source)
        let digest = try await Checksum.sha256(file: source)
        let remote = directory.path("remote.bin")
        try await runner.run("put", [source, "sftp://127.0.0.1:\(sshd.port)\(remote)"]).requireSuccess()
        #expect(try await Checksum.sha256(file: remote) == digest)
        let back = directory.path("back.bin")
        try await runner.run("get", ["sftp://127.0.0.1:\(sshd.port)\(remote)", back]).requireSuccess()
        #expect(try await Checksum.sha256(file: back) == digest)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasSuffix(".ferry-partial")
        }
        #expect(leftovers.isEmpty)
    }

    @Test("1 GiB put and get against ferry serve with a password from FERRY_PASSWORD")
    func oneGiBWithFerryServe() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-serve")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:s3cret-pass:::in")
        defer { server.process.terminate() }
        var runner = try FerryClientRunner(home: directory.path("home"))
        runner.environment["FERRY_PASSWORD"] = "s3cret-pass"
        runner.common = ["--known-hosts", try server.knownHostsFile()]
        let source = directory.path("source.bin")
        try await TestData.writeRandom(size: 1 << 30, to: source)
        let digest = try await Checksum.sha256(file: source)
        let url = "sftp://alice@127.0.0.1:\(server.port)/in/big.bin"
        try await runner.run("put", [source, url]).requireSuccess()
        #expect(try await Checksum.sha256(file: server.userDirectory("alice") + "/in/big.bin") == digest)
        let back = directory.path("back.bin")
        try await runner.run("get", [url, back]).requireSuccess()
        #expect(try await Checksum.sha256(file: back) == digest)
        let listing = try await runner.run("ls", ["-l", "sftp://alice@127.0.0.1:\(server.port)/in"]).requireSuccess()
        #expect(listing.stdoutText.contains("1073741824"))
        #expect(listing.stdoutText.contains("big.bin"))
    }

    @Test("a download killed with SIGKILL leaves only the hidden partial file; --continue finishes it")
    func getResumesAfterKill() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-reget")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:s3cret-pass:::in")
        defer { server.process.terminate() }
        var runner = try FerryClientRunner(home: directory.path("home"))
        runner.environment["FERRY_PASSWORD"] = "s3cret-pass"
        // Few requests in flight, so the copy takes long enough to be interrupted.
        runner.common = ["--known-hosts", try server.knownHostsFile(), "-R", "1"]
        let source = server.userDirectory("alice") + "/in/big.bin"
        try await TestData.writeRandom(size: 768 << 20, to: source)
        let digest = try await Checksum.sha256(file: source)
        let target = directory.path("big.bin")
        let partial = directory.path(".big.bin.ferry-partial")
        let url = "sftp://alice@127.0.0.1:\(server.port)/in/big.bin"
        let first = try runner.start("get", [url, target])
        #expect(try await eventually { (fileSize(partial) ?? 0) > 64 << 20 })
        kill(first.pid, SIGKILL)
        _ = try? await first.waitForExit(timeout: .seconds(30))
        #expect(!FileManager.default.fileExists(atPath: target), "a partial file appeared under the real name")
        let kept = fileSize(partial) ?? 0
        #expect(kept > 0)
        let second = try await runner.run("get", ["--continue", url, target]).requireSuccess()
        #expect(second.stderrText.contains("resumed"), "\(second)")
        #expect(try await Checksum.sha256(file: target) == digest)
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    @Test("an upload killed with SIGKILL is resumed with put --continue (OpenSSH's sshd keeps the partial file)")
    func putResumesAfterKill() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-reput")
        let (sshd, sshdRunner, _) = try await Self.sshdClient(directory)
        defer { sshd.stop() }
        var runner = sshdRunner
        runner.common = runner.common + ["-R", "1"]
        let source = directory.path("source.bin")
        try await TestData.writeRandom(size: 768 << 20, to: source)
        let digest = try await Checksum.sha256(file: source)
        let remoteDirectory = try directory.makeDirectory("remote")
        let remote = remoteDirectory + "/up.bin"
        let partial = remoteDirectory + "/.up.bin.ferry-partial"
        let url = "sftp://127.0.0.1:\(sshd.port)\(remote)"
        let first = try runner.start("put", [source, url])
        #expect(try await eventually { (fileSize(partial) ?? 0) > 64 << 20 })
        kill(first.pid, SIGKILL)
        _ = try? await first.waitForExit(timeout: .seconds(30))
        #expect(!FileManager.default.fileExists(atPath: remote), "a partial file appeared under the real name")
        let second = try await runner.run("put", ["--continue", source, url]).requireSuccess()
        #expect(second.stderrText.contains("resumed"), "\(second)")
        #expect(try await Checksum.sha256(file: remote) == digest)
        #expect(!FileManager.default.fileExists(atPath: partial))
    }

    @Test("~/.ssh/config aliases; known_hosts: a changed host key is refused, accept-new records a new one")
    func sshConfigAndKnownHosts() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-config")
        let key = try await TestKeyPair.generate(.ed25519, in: directory, name: "client_key")
        let sshd = try await PrivateSSHD.start(.init(authorizedKeys: [key.authorizedKeysLine]))
        defer { sshd.stop() }
        let runner = try FerryClientRunner(home: directory.path("home"))
        let knownHosts = runner.home + "/.ssh/known_hosts"
        try sshd.writeKnownHosts(to: knownHosts)
        let config = """
            # A partner, as people write it.
            Host partner-*  !partner-bad
                User root
            Host partner-bank
                HostName 127.0.0.1
                Port \(sshd.port)
                IdentityFile ~/.ssh/partner_key
                IdentitiesOnly yes
            """
        try config.write(toFile: runner.home + "/.ssh/config", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: key.privateKeyPath, toPath: runner.home + "/.ssh/partner_key")
        _ = try directory.write("hello", to: "hello.txt")

        let listed = try await runner.run("ls", ["partner-bank:\(directory.path)"]).requireSuccess()
        #expect(listed.stdoutText.contains("hello.txt"))

        // The host now presents a key that differs from the recorded one.
        let impostor = try await TestKeyPair.generate(.ed25519, in: directory, name: "impostor")
        let changed = sshd.hostKeys.map { "[127.0.0.1]:\(sshd.port) \($0.algorithm) \(impostor.base64)" }
        try changed.joined(separator: "\n").write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let refused = try await runner.run("ls", ["partner-bank:\(directory.path)"])
        #expect(refused.status == 6, "\(refused)")
        #expect(refused.stderrText.contains("CHANGED"), "\(refused)")

        // Unknown host: refused by default, recorded with accept-new, then accepted strictly.
        try "".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let unknown = try await runner.run("ls", ["partner-bank:\(directory.path)"])
        #expect(unknown.status == 6, "\(unknown)")
        try await runner.run("ls", ["--strict-host-key-checking", "accept-new", "partner-bank:\(directory.path)"])
            .requireSuccess()
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("[127.0.0.1]:\(sshd.port)"))
        try await runner.run("ls", ["partner-bank:\(directory.path)"]).requireSuccess()
    }

    @Test("login through ssh-agent: no key file, no password")
    func agentLogin() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-agent")
        let key = try await TestKeyPair.generate(.ecdsa(), in: directory, name: "agent_key")
        let sshd = try await PrivateSSHD.start(.init(authorizedKeys: [key.authorizedKeysLine]))
        defer { sshd.stop() }
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        try await agent.add(key)
        try FileManager.default.removeItem(atPath: key.privateKeyPath)
        var runner = try FerryClientRunner(home: directory.path("home"))
        try sshd.writeKnownHosts(to: runner.home + "/.ssh/known_hosts")
        runner.environment = agent.environment
        _ = try directory.write("agent", to: "seen.txt")
        let listed = try await runner.run("ls", ["--batch", "sftp://root@127.0.0.1:\(sshd.port)\(directory.path)"])
            .requireSuccess()
        #expect(listed.stdoutText.contains("seen.txt"))
    }

    @Test("commands and exit codes: mkdir -p, mv, rm -r, no such file, permission denied, wrong password")
    func commandsAndExitCodes() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-client-codes")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:s3cret-pass:::in")
        defer { server.process.terminate() }
        try await server.addUser("reader", password: "reader-pass-1", permissions: "read-only")
        var runner = try FerryClientRunner(home: directory.path("home"))
        runner.environment["FERRY_PASSWORD"] = "s3cret-pass"
        runner.common = ["--known-hosts", try server.knownHostsFile(), "--batch"]
        let base = "sftp://alice@127.0.0.1:\(server.port)"
        try await runner.run("mkdir", ["-p", base + "/in/a/b/c"]).requireSuccess()
        let local = try directory.write("payload", to: "p.txt")
        try await runner.run("put", [local, base + "/in/a/b/c/"]).requireSuccess()
        try await runner.run("mv", [base + "/in/a/b/c/p.txt", "/in/q.txt"]).requireSuccess()
        let moved = try String(contentsOfFile: server.userDirectory("alice") + "/in/q.txt", encoding: .utf8)
        #expect(moved == "payload")
        let notRecursive = try await runner.run("rm", [base + "/in/a"])
        #expect(notRecursive.status == 1 && notRecursive.stderrText.contains("use -r"), "\(notRecursive)")
        try await runner.run("rm", ["-r", base + "/in/a"]).requireSuccess()
        #expect(!FileManager.default.fileExists(atPath: server.userDirectory("alice") + "/in/a"))

        let missing = try await runner.run("get", [base + "/in/none.csv", directory.path("none.csv")])
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderrText.contains("/in/none.csv"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("none.csv")))

        var reader = runner
        reader.environment["FERRY_PASSWORD"] = "reader-pass-1"
        let denied = try await reader.run("mkdir", ["sftp://reader@127.0.0.1:\(server.port)/x"])
        #expect(denied.status == 3, "\(denied)")

        var wrong = runner
        wrong.environment["FERRY_PASSWORD"] = "not-the-password"
        let refused = try await wrong.run("ls", [base + "/in"])
        #expect(refused.status == 5, "\(refused)")

        let closed = try await runner.run("ls", ["sftp://alice@127.0.0.1:\(FreePort.allocate())/in"])
        #expect(closed.status == 4 && closed.stderrText.contains("Connection refused"), "\(closed)")

        let badURL = try await runner.run("ls", ["sftp://alice:pw@127.0.0.1/in"])
        #expect(badURL.status == 64 && !badURL.stderrText.contains("pw@"), "\(badURL)")
    }
}

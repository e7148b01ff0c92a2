import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Python webhook receiver: checks signatures, logs each accepted delivery as a JSON line.
final class WebhookReceiver: @unchecked Sendable {
    let port: Int
    let logPath: String
    let secret: String
    private var process: RunningProcess?

    init(directory: TemporaryDirectory, secret: String = "hook-secret-1") {
        self.port = FreePort.allocate()
        self.logPath = directory.path("webhooks.jsonl")
        self.secret = secret
    }

    var url: String { "http://127.0.0.1:\(self.port)/hooks/ferry" }

    func start() async throws {
        let process = try TestProcess.start(
            PythonPeer.command(
                .webhookReceiver,
                ["--port", String(self.port), "--secret", self.secret, "--log", self.logPath]
            )
        )
        _ = try await process.waitForLine(prefix: "READY")
        self.process = process
    }

    func stop() {
        self.process?.terminate(grace: .seconds(1))
        self.process = nil
    }

    /// Each accepted delivery: (delivery id, remote path).
    func deliveries() -> [(id: String, path: String)] {
        guard let text = try? String(contentsOfFile: self.logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let id = object["delivery"] as? String, let body = object["body"] as? [String: Any],
                let path = body["path"] as? String
            else { return nil }
            return (id, path)
        }
    }
}

/// Files under `root` (relative paths), without the ledger and hidden partial files unless asked.
func localFiles(_ root: String, includeHidden: Bool = false) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let item = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/" + item, isDirectory: &isDirectory),
            !isDirectory.boolValue
        else { continue }
        let name = (item as NSString).lastPathComponent
        if !includeHidden && name.hasPrefix(".") { continue }
        files.append(item)
    }
    return files.sorted()
}

@Suite("ferry mirror against ferry serve and sshd", .serialized, .timeLimit(.minutes(15)))
struct MirrorProcessTests {
    struct Setup {
        let directory: TemporaryDirectory
        let server: FerryServeProcess
        let outbox: String
        let destination: String
        let runner: FerryClientRunner
        let receiver: WebhookReceiver
    }

    static func setup(_ name: String) async throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "ferry-mirror-\(name)")
        let server = try await FerryServeProcess.start(in: directory, users: "partner:pull-pass-1:::outbox")
        var runner = try FerryClientRunner(home: directory.path("home"))
        runner.environment["FERRY_PASSWORD"] = "pull-pass-1"
        runner.environment["FERRY_WEBHOOK_SECRET"] = "hook-secret-1"
        runner.common = ["--known-hosts", try server.knownHostsFile()]
        return Setup(
            directory: directory,
            server: server,
            outbox: server.userDirectory("partner") + "/outbox",
            destination: directory.path("inbox"),
            runner: runner,
            receiver: WebhookReceiver(directory: directory)
        )
    }

    func mirrorArguments(_ setup: Setup, extra: [String] = []) -> [String] {
        [
            "sftp://partner@127.0.0.1:\(setup.server.port)/outbox", setup.destination, "--every", "1s",
            "--stable-for", "1s", "--webhook", setup.receiver.url,
        ] + extra
    }

    /// Writes a file the way a slow partner upload would: half, a pause, the rest.
    static func writeSlowly(_ path: String, _ bytes: Data) async throws {
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path, isDirectory: false))
        try handle.write(contentsOf: bytes.prefix(bytes.count / 2))
        try await Task.sleep(for: .milliseconds(30))
        try handle.write(contentsOf: bytes.dropFirst(bytes.count / 2))
        try handle.close()
    }

    @Test("500 files written while the mirror runs: each arrives once, whole, and is announced once")
    func fiveHundredFilesWhileRunning() async throws {
        let setup = try await Self.setup("500")
        defer { setup.server.process.terminate() }
        try await setup.receiver.start()
        defer { setup.receiver.stop() }
        // Each file is written in two steps 30 ms apart; a stability interval well above that keeps the
        // half-written state from being taken even when other tests slow this process down.
        let healthPort = FreePort.allocate()
        let mirror = try setup.runner.start(
            "mirror",
            self.mirrorArguments(setup, extra: ["--stable-for", "3s", "--health-listen", "127.0.0.1:\(healthPort)"])
        )
        defer { mirror.terminate() }
        var expected: [String: Data] = [:]
        for index in 0..<500 {
            let name = String(format: "batch-%03d.csv", index)
            let bytes = Data("row,\(index)\n".utf8) + Data(repeating: UInt8(index % 251), count: 1000 + index * 37)
            expected[name] = bytes
            try await Self.writeSlowly(setup.outbox + "/" + name, bytes)
        }
        let arrived = try await eventually(timeout: .seconds(180)) {
            localFiles(setup.destination).count == 500 && setup.receiver.deliveries().count == 500
        }
        #expect(
            arrived,
            "\(localFiles(setup.destination).count) files, \(setup.receiver.deliveries().count) webhooks\n\(mirror.stderrText.suffix(3000))"
        )
        for (name, bytes) in expected {
            #expect(FileManager.default.contents(atPath: setup.destination + "/" + name) == bytes, "\(name)")
        }
        #expect(localFiles(setup.destination, includeHidden: true).filter { $0.hasSuffix(".ferry-partial") }.isEmpty)
        let deliveries = setup.receiver.deliveries()
        #expect(Set(deliveries.map(\.path)).count == 500)
        #expect(Set(deliveries.map(\.id)).count == 500)
        let health = try await TestProcess.run("curl", ["-s", "-i", "http://127.0.0.1:\(healthPort)/healthz"])
        #expect(health.stdoutText.hasPrefix("HTTP/1.1 200"), "\(health)")
        #expect(health.stdoutText.contains(#""status":"ok""#), "\(health)")
        let status = try await setup.runner.run(
            "mirror",
            ["status", setup.destination, "--json"],
            withCommonOptions: false
        )
        .requireSuccess()
        let json = try JSONSerialization.jsonObject(with: Data(status.stdoutText.utf8)) as? [String: Any]
        #expect((json?["counts"] as? [String: Int])?["done"] == 500, "\(status.stdoutText)")
    }

    @Test("a file still growing is not taken until it has stopped changing")
    func growingFileWaits() async throws {
        let setup = try await Self.setup("growing")
        defer { setup.server.process.terminate() }
        let mirror = try setup.runner.start(
            "mirror",
            [
                "sftp://partner@127.0.0.1:\(setup.server.port)/outbox", setup.destination, "--every", "1s",
                "--stable-for", "2s",
            ]
        )
        defer { mirror.terminate() }
        let path = setup.outbox + "/growing.log"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var written = Data()
        for index in 0..<12 {
            let chunk = Data("line \(index) ".utf8) + Data(repeating: 0x41, count: 5000)
            try handle.write(contentsOf: chunk)
            written += chunk
            try await Task.sleep(for: .milliseconds(400))
            #expect(!FileManager.default.fileExists(atPath: setup.destination + "/growing.log"), "taken while growing")
        }
        try handle.close()
        #expect(
            try await eventually(timeout: .seconds(60)) {
                FileManager.default.contents(atPath: setup.destination + "/growing.log") == written
            }
        )
    }

    @Test("the server restarts mid-run: the mirror reconnects and finishes")
    func serverRestart() async throws {
        let setup = try await Self.setup("restart")
        let mirror = try setup.runner.start("mirror", self.mirrorArguments(setup, extra: ["--stable-for", "0"]))
        defer { mirror.terminate() }
        for index in 0..<20 {
            try Data("first \(index)".utf8).write(to: URL(fileURLWithPath: setup.outbox + "/a\(index).txt"))
        }
        #expect(try await eventually { localFiles(setup.destination).count == 20 })
        _ = try await setup.server.stop()
        for index in 0..<20 {
            try Data("second \(index)".utf8).write(to: URL(fileURLWithPath: setup.outbox + "/b\(index).txt"))
        }
        try await Task.sleep(for: .seconds(2))
        let restarted = try await FerryServeProcess.restart(setup.server)
        defer { restarted.process.terminate() }
        #expect(
            try await eventually(timeout: .seconds(120)) { localFiles(setup.destination).count == 40 },
            "\(mirror.stderrText.suffix(3000))"
        )
        #expect(mirror.isRunning)
        #expect(mirror.stderrText.contains("mirror pass failed"))
    }

    @Test("the mirror killed with SIGKILL and restarted: no duplicates, no partial files, every file once")
    func killAndRestart() async throws {
        let setup = try await Self.setup("kill")
        defer { setup.server.process.terminate() }
        try await setup.receiver.start()
        defer { setup.receiver.stop() }
        var digests: [String: String] = [:]
        for index in 0..<12 {
            let path = setup.outbox + "/big-\(index).bin"
            try await TestData.writeRandom(size: 24 << 20, to: path)
            digests["big-\(index).bin"] = try await Checksum.sha256(file: path)
        }
        // Few requests in flight, so downloads are slow enough to be cut.
        var runner = setup.runner
        runner.common += ["-R", "2"]
        for _ in 0..<3 {
            let mirror = try runner.start("mirror", self.mirrorArguments(setup, extra: ["--stable-for", "0"]))
            let before = localFiles(setup.destination).count
            _ = try await eventually(timeout: .seconds(60)) {
                localFiles(setup.destination).count > before
                    && localFiles(setup.destination, includeHidden: true).contains { $0.hasSuffix(".ferry-partial") }
            }
            kill(mirror.pid, SIGKILL)
            _ = try? await mirror.waitForExit(timeout: .seconds(10))
            for name in localFiles(setup.destination) {
                #expect(
                    try await Checksum.sha256(file: setup.destination + "/" + name) == digests[name],
                    "\(name) is not whole"
                )
            }
        }
        let last = try runner.start("mirror", self.mirrorArguments(setup, extra: ["--stable-for", "0"]))
        defer { last.terminate() }
        #expect(
            try await eventually(timeout: .seconds(180)) {
                localFiles(setup.destination).count == 12 && setup.receiver.deliveries().count >= 12
            },
            "\(last.stderrText.suffix(3000))"
        )
        for (name, digest) in digests {
            #expect(try await Checksum.sha256(file: setup.destination + "/" + name) == digest)
        }
        try await Task.sleep(for: .seconds(2))
        // Delivery is at least once: a mirror killed after the receiver got an event but before it recorded the
        // answer sends it again, with the same delivery id, which is what a receiver drops repeats by. Each file
        // must have exactly one id.
        let deliveries = setup.receiver.deliveries()
        #expect(Set(deliveries.map(\.path)).count == 12, "\(deliveries)")
        #expect(Set(deliveries.map(\.id)).count == 12, "\(deliveries)")
        #expect(Set(deliveries.map { "\($0.id) \($0.path)" }).count == 12, "\(deliveries)")
        #expect(localFiles(setup.destination, includeHidden: true).filter { $0.hasSuffix(".ferry-partial") }.isEmpty)
    }

    @Test("a webhook receiver down for part of the run still receives every file once")
    func receiverDownThenUp() async throws {
        let setup = try await Self.setup("hookdown")
        defer { setup.server.process.terminate() }
        let mirror = try setup.runner.start("mirror", self.mirrorArguments(setup, extra: ["--stable-for", "0"]))
        defer { mirror.terminate() }
        for index in 0..<30 {
            try Data("early \(index)".utf8).write(to: URL(fileURLWithPath: setup.outbox + "/e\(index).txt"))
        }
        #expect(try await eventually { localFiles(setup.destination).count == 30 })
        try await Task.sleep(for: .seconds(2))
        try await setup.receiver.start()
        defer { setup.receiver.stop() }
        for index in 0..<30 {
            try Data("late \(index)".utf8).write(to: URL(fileURLWithPath: setup.outbox + "/l\(index).txt"))
        }
        #expect(
            try await eventually(timeout: .seconds(180)) { setup.receiver.deliveries().count >= 60 },
            "\(mirror.stderrText.suffix(3000))"
        )
        try await Task.sleep(for: .seconds(2))
        let deliveries = setup.receiver.deliveries()
        #expect(deliveries.count == 60)
        #expect(Set(deliveries.map(\.path)).count == 60)
    }

    @Test(
        "the seed's variables: SFTP_HOST, SFTP_PORT, SFTP_USERNAME, SFTP_PASSWORD, REMOTE_DIR, LOCAL_DIR, DOWNLOAD_INTERVAL"
    )
    func seedEnvironment() async throws {
        let setup = try await Self.setup("seed")
        defer { setup.server.process.terminate() }
        var runner = setup.runner
        runner.common = []
        runner.environment = [
            "SFTP_HOST": "127.0.0.1", "SFTP_PORT": String(setup.server.port), "SFTP_USERNAME": "partner",
            "SFTP_PASSWORD": "pull-pass-1", "REMOTE_DIR": "/outbox", "LOCAL_DIR": setup.destination,
            "DOWNLOAD_INTERVAL": "1",
        ]
        try Data("seeded".utf8).write(to: URL(fileURLWithPath: setup.outbox + "/seed.txt"))
        let mirror = try runner.start("mirror", [])
        defer { mirror.terminate() }
        #expect(
            try await eventually(timeout: .seconds(60)) {
                FileManager.default.contents(atPath: setup.destination + "/seed.txt") == Data("seeded".utf8)
            },
            "\(mirror.stderrText.suffix(3000))"
        )
        // The host key was recorded on first use.
        let knownHosts = try String(contentsOfFile: runner.home + "/.ssh/known_hosts", encoding: .utf8)
        #expect(knownHosts.contains("[127.0.0.1]:\(setup.server.port)"))
    }

    @Test("--once against OpenSSH's sshd, with a marker file and delete after download")
    func onceAgainstSSHDWithMarkers() async throws {
        try await Self.withSSHD("ferry-mirror-sshd") { runner, remote, destination, url in
            try Data("ready".utf8).write(to: URL(fileURLWithPath: remote + "/ready.csv"))
            try Data().write(to: URL(fileURLWithPath: remote + "/ready.csv.done"))
            try Data("not yet".utf8).write(to: URL(fileURLWithPath: remote + "/pending.csv"))
            try await runner.run("mirror", [url, destination, "--once", "--marker", ".done", "--after", "delete"])
                .requireSuccess()
            #expect(localFiles(destination) == ["ready.csv"])
            #expect(!FileManager.default.fileExists(atPath: remote + "/ready.csv"))
            #expect(!FileManager.default.fileExists(atPath: remote + "/ready.csv.done"))
            #expect(FileManager.default.fileExists(atPath: remote + "/pending.csv"))
            // A second run takes nothing again.
            try await runner.run("mirror", [url, destination, "--once", "--marker", ".done"]).requireSuccess()
            #expect(localFiles(destination) == ["ready.csv"])
        }
    }

    /// Runs `body` with a private sshd: the mirror's runner, the served folder, a local destination, and the
    /// folder's URL.
    static func withSSHD(
        _ prefix: String,
        _ body: (FerryClientRunner, _ remote: String, _ destination: String, _ url: String) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory(prefix: prefix)
        let (sshd, runner, _) = try await ClientCommandsTests.sshdClient(directory)
        defer { sshd.stop() }
        let remote = try directory.makeDirectory("remote")
        try await body(runner, remote, directory.path("local"), "sftp://127.0.0.1:\(sshd.port)\(remote)")
    }

    @Test("--after move against OpenSSH's sshd: a new version of a moved file replaces the earlier one in the folder")
    func moveReplacesAnEarlierVersionAgainstSSHD() async throws {
        try await Self.withSSHD("ferry-mirror-move") { runner, remote, destination, url in
            let arguments = [url, destination, "--once", "--stable-for", "0s", "--after", "move:\(remote)/archive"]
            for (day, content) in [(1, "monday"), (2, "tuesday")] {
                let file = remote + "/report.csv"
                try Data(content.utf8).write(to: URL(fileURLWithPath: file))
                try FileManager.default.setAttributes(
                    [.modificationDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(day) * 86_400)],
                    ofItemAtPath: file
                )
                try await runner.run("mirror", arguments).requireSuccess()
                #expect(!FileManager.default.fileExists(atPath: file))
                #expect(try String(contentsOfFile: remote + "/archive/report.csv", encoding: .utf8) == content)
                #expect(try String(contentsOfFile: destination + "/report.csv", encoding: .utf8) == content)
            }
            let status = try await runner.run("mirror", ["status", destination, "--json"], withCommonOptions: false)
                .requireSuccess()
            #expect(!status.stdoutText.contains("after download"), "\(status.stdoutText)")
        }
    }
}

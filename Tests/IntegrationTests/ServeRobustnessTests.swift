import Crypto
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `ferry serve` against hostile paths, killed clients and servers, crowds, shutdowns, bans and limits, with
/// OpenSSH's sftp (and paramiko where raw bytes are needed) on 127.0.0.1.
@Suite("ferry serve robustness and security", .serialized, .timeLimit(.minutes(10)))
struct ServeRobustnessTests {
    // MARK: - Escapes

    @Test("OpenSSH sftp stays in the user's folder: .., absolute paths, links made through SFTP or planted")
    func escapesWithOpenSSH() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-escape")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:escape-pass-1")
        let outside = try directory.makeDirectory("outside")
        let home = server.userDirectory("alice")
        try FileManager.default.createSymbolicLink(atPath: home + "/planted", withDestinationPath: "/etc")
        let got = try directory.makeDirectory("got")
        let harmless = try directory.write("harmless\n", to: "harmless.txt")
        let planted = "ferry-escape-\(UUID().uuidString)"
        let client = try Self.passwordClient(server, directory, user: "alice", password: "escape-pass-1")
        let commands = [
            "-get ../../../../etc/passwd \(got)/1", "-get /../etc/passwd \(got)/2", "-get /etc/passwd \(got)/3",
            "-get ./../../etc/passwd \(got)/4", "-ls /..", "-ls -la /..", "-ls /../../etc", "cd ..", "pwd",
            "cd ../../..", "pwd", "-cd /etc", "-cd planted", "pwd", "-ln -s /etc/passwd link", "-get link \(got)/5",
            "-ln -s ../../.. up", "-ls up", "-get planted/passwd \(got)/6", "-ls planted/", "-ls -l planted/passwd",
            "-get -r planted \(got)/7", "-put \(harmless) ../../../outside/x", "-put \(harmless) planted/\(planted)",
            "-mkdir ../../../outside/d", "-rename link ../../../outside/moved", "pwd",
        ]
        let result = try await TestProcess.run(try client.sftp(batch: commands))
        #expect(result.succeeded, "\(result)")
        let pwds = result.stdoutText.split(separator: "\n").filter { $0.hasPrefix("Remote working directory:") }
        #expect(pwds == Array(repeating: "Remote working directory: /", count: 4), "\(result)")
        try Self.expectNoHostFiles(in: result.stdoutText + result.stderrText)
        for file in try Self.regularFiles(under: got) {
            try Self.expectNoHostFiles(
                in: String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self)
            )
        }
        #expect(!Self.exists(home + "/up"), "a link leaving the root was created")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(!Self.exists("/etc/" + planted))
        try await Self.expectStillServing(server, client, directory)
        try await server.stop()
    }

    @Test("Raw SFTP paths stay in the user's folder: NUL bytes, .., overlong and odd Unicode names, links")
    func escapesWithRawPaths() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-raw")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:escape-pass-2")
        let outside = try directory.makeDirectory("outside")
        let home = server.userDirectory("alice")
        try FileManager.default.createSymbolicLink(atPath: home + "/planted", withDestinationPath: "/etc")
        let report = try await Self.probe(
            server,
            user: "alice",
            password: "escape-pass-2",
            ["escape", "--planted", "planted", "--outside", outside]
        )
        #expect(report["ok"] as? Bool == true, "\(report)")
        let steps = Dictionary(
            (report["steps"] as? [[String: Any]] ?? []).map { (($0["step"] as? String) ?? "", $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let transcript = String(describing: report)
        for (name, step) in steps {
            if let data = (step["data"] as? String).flatMap({ Data(base64Encoded: $0) }) {
                try Self.expectNoHostFiles(in: String(decoding: data, as: UTF8.self), context: name)
            }
            if let names = step["names"] as? [String] {
                try Self.expectNoHostFiles(in: names.joined(separator: "\n"), context: name)
            }
        }
        func succeeded(_ step: String) -> Bool { steps[step]?["ok"] as? Bool == true }
        func read(_ step: String) -> String? {
            (steps[step]?["data"] as? String).flatMap { Data(base64Encoded: $0) }.map {
                String(decoding: $0, as: UTF8.self)
            }
        }
        #expect(steps["getcwd"]?["value"] as? String == "/", "\(transcript)")
        #expect(steps["realpath .."]?["value"] as? String == "/", "\(transcript)")
        #expect(steps["realpath /../.."]?["value"] as? String == "/", "\(transcript)")
        for step in [
            "read ../../../../etc/passwd", "read /../etc/passwd", "read /etc/passwd", "read absolute link",
            "read relative link", "read planted", "list planted", "stat planted passwd", "write planted",
            "write through outside link", "symlink up", "symlink relative passwd", "write nul", "read passwd nul",
            "read dots nul", "mkdir nul", "write overlong", "mkdir overlong", "write overlong path",
        ] {
            #expect(steps[step] != nil && !succeeded(step), "\(step) should fail: \(steps[step] ?? [:])")
        }
        #expect(read("read nfc") == "nfc", "\(transcript)")
        #expect(read("read nfd") == "nfd", "\(transcript)")
        #expect(read("read rtl") == "rtl", "\(transcript)")
        #expect(succeeded("list root"), "\(transcript)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: home).map { Array($0.utf8) })
        #expect(names.contains(Array("caf\u{E9}.txt".utf8)))
        #expect(names.contains(Array("cafe\u{301}.txt".utf8)))
        #expect(names.contains(Array("invoice\u{202E}gnp.exe".utf8)))
        for name in try FileManager.default.contentsOfDirectory(atPath: home) {
            #expect(!name.hasPrefix("nul") && !name.hasPrefix("dir") && name.utf8.count <= 255, "\(name)")
        }
        #expect(!Self.exists(home + "/up"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        let client = try Self.passwordClient(server, directory, user: "alice", password: "escape-pass-2")
        try await Self.expectStillServing(server, client, directory)
        try await server.stop()
    }

    @Test("A folder swapped for a link to outside during an upload: the outside receives nothing")
    func symlinkSwappedDuringUpload() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-swap")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:swap-pass-3")
        let home = server.userDirectory("alice")
        for (index, relative) in [false, true].enumerated() {
            let outside = try directory.makeDirectory("outside-\(index)")
            let folder = "dir\(index)"
            try FileManager.default.createDirectory(atPath: home + "/" + folder, withIntermediateDirectories: false)
            let go = directory.path("go-\(index)")
            let peer = try TestProcess.start(
                Self.probeCommand(
                    server,
                    user: "alice",
                    password: "swap-pass-3",
                    ["upload", "--path", folder + "/file", "--first", "1048576", "--size", "8388608", "--go", go]
                )
            )
            defer { peer.terminate(grace: .zero) }
            _ = try await peer.waitForLine(prefix: "STARTED", timeout: .seconds(60))
            #expect(!Self.uploadTemporaries(in: home + "/" + folder, name: "file").isEmpty)
            try FileManager.default.moveItem(atPath: home + "/" + folder, toPath: home + "/" + folder + ".orig")
            let target = relative ? "../../../outside-\(index)" : outside
            try FileManager.default.createSymbolicLink(atPath: home + "/" + folder, withDestinationPath: target)
            try directory.write("", to: "go-\(index)")
            let finished = try await peer.waitForExit(timeout: .seconds(120))
            let line = finished.stdoutText.split(separator: "\n").last(where: { $0.hasPrefix("{") }) ?? ""
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "\(line)")
            let kept = try FileManager.default.contentsOfDirectory(atPath: home + "/" + folder + ".orig")
            print(
                "swap (\(relative ? "relative" : "absolute") link): client reported \(line); original folder holds \(kept)"
            )
            let client = try Self.passwordClient(server, directory, user: "alice", password: "swap-pass-3")
            let harmless = try directory.write("harmless\n", to: "harmless.txt")
            let again = try await TestProcess.run(try client.sftp(batch: ["put \(harmless) \(folder)/new"]))
            #expect(!again.succeeded, "an upload through a link to outside was accepted: \(again)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        }
        let client = try Self.passwordClient(server, directory, user: "alice", password: "swap-pass-3")
        try await Self.expectStillServing(server, client, directory)
        try await server.stop()
    }

    // MARK: - Permissions

    @Test("A read-only user: every change fails with permission denied and the folder is unchanged on disk")
    func readOnlyUser() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-readonly")
        let server = try await FerryServeProcess.start(in: directory, users: "seed:unused-pass")
        try await server.addUser("reader", password: "read-pass-4", permissions: "read-only")
        let home = server.userDirectory("reader")
        try FileManager.default.createDirectory(atPath: home + "/sub/deeper", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/empty", withIntermediateDirectories: true)
        try Data("first file\n".utf8).write(to: URL(fileURLWithPath: home + "/a.txt"))
        try Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(
            to: URL(fileURLWithPath: home + "/sub/b.bin")
        )
        try Data("deep\n".utf8).write(to: URL(fileURLWithPath: home + "/sub/deeper/c.txt"))
        try FileManager.default.createSymbolicLink(atPath: home + "/link", withDestinationPath: "a.txt")
        let before = try Self.snapshot(home)
        let local = try directory.write("new content\n", to: "new.txt")
        let longer = try directory.write(Data(count: 100_000), to: "longer.bin")
        let back = directory.path("back.txt")
        let client = try Self.passwordClient(server, directory, user: "reader", password: "read-pass-4")
        let changes = [
            "put \(local) new.txt", "put \(local) a.txt", "reput \(longer) sub/b.bin", "rm a.txt", "rm sub/b.bin",
            "rename a.txt renamed.txt", "rename sub moved", "mkdir newdir", "mkdir sub/newdir", "rmdir empty",
            "chmod 600 a.txt", "chmod 700 sub", "ln -s a.txt link2", "ln a.txt hard", "rm link",
        ]
        for change in changes {
            let result = try await TestProcess.run(try client.sftp(batch: [change]))
            #expect(!result.succeeded, "\(change) was allowed: \(result)")
            #expect(result.stderrText.contains("Permission denied"), "\(change): \(result)")
        }
        let reading = try await TestProcess.run(try client.sftp(batch: ["ls -la", "get a.txt \(back)", "ls sub"]))
        #expect(reading.succeeded, "\(reading)")
        #expect(FileManager.default.contents(atPath: back) == Data("first file\n".utf8))
        #expect(try Self.snapshot(home) == before)
        try await server.stop()
    }

    // MARK: - Killed clients and servers

    @Test("A client killed with SIGKILL mid-upload: nothing under the name, the temporary file goes, a retry works")
    func clientKilledMidUpload() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-killclient")
        let server = try await FerryServeProcess.start(in: directory, users: "killer:kill-pass-5")
        let home = server.userDirectory("killer")
        let big = directory.path("big.bin")
        try await TestData.writeRandom(size: 200 << 20, to: big)
        let client = try Self.passwordClient(server, directory, user: "killer", password: "kill-pass-5")
        let upload = try TestProcess.start(try client.sftp(batch: ["put \(big) big.bin"]))
        defer { upload.terminate(grace: .zero) }
        let started = try await Self.eventually(timeout: .seconds(60)) {
            Self.uploadTemporaries(in: home, name: "big.bin").contains { Self.size(home + "/" + $0) >= 1 << 20 }
        }
        #expect(started, "no temporary upload file appeared: \(upload.stderrText)")
        upload.terminate(grace: .zero)  // SIGKILL to sftp and its ssh
        #expect(!Self.exists(home + "/big.bin"))
        let cleaned = try await Self.eventually(timeout: .seconds(15)) {
            Self.uploadTemporaries(in: home, name: "big.bin").isEmpty
        }
        #expect(cleaned, "temporary file left: \(Self.uploadTemporaries(in: home, name: "big.bin"))")
        #expect(!Self.exists(home + "/big.bin"))
        let small = try directory.write("second try\n", to: "small.txt")
        try await TestProcess.run(try client.sftp(batch: ["put \(small) big.bin"])).requireSuccess()
        #expect(FileManager.default.contents(atPath: home + "/big.bin") == Data("second try\n".utf8))
        let uploads = try await server.transfers(user: "killer").filter { $0["action"] as? String == "upload" }
        print("client killed: upload records \(uploads)")
        try await server.stop()
    }

    @Test("The server killed with SIGKILL mid-upload: after a restart on the same data, nothing under the name")
    func serverKilledMidUpload() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-killserver")
        let users = "crash:crash-pass-6"
        let server = try await FerryServeProcess.start(in: directory, users: users)
        let home = server.userDirectory("crash")
        let big = directory.path("big.bin")
        try await TestData.writeRandom(size: 200 << 20, to: big)
        let client = try Self.passwordClient(server, directory, user: "crash", password: "crash-pass-6")
        let upload = try TestProcess.start(try client.sftp(batch: ["put \(big) big.bin"]))
        defer { upload.terminate(grace: .zero) }
        let started = try await Self.eventually(timeout: .seconds(60)) {
            Self.uploadTemporaries(in: home, name: "big.bin").contains { Self.size(home + "/" + $0) >= 1 << 20 }
        }
        #expect(started, "no temporary upload file appeared: \(upload.stderrText)")
        server.signal(SIGKILL)
        let killed = try await server.process.waitForExit(timeout: .seconds(30))
        #expect(killed.terminatedBySignal && killed.status == SIGKILL)
        let failed = try await upload.waitForExit(timeout: .seconds(60))
        #expect(!failed.succeeded)
        #expect(!Self.exists(home + "/big.bin"))

        let restarted = try await FerryServeProcess.start(in: directory, users: users)
        #expect(!Self.exists(home + "/big.bin"))
        let stale = Self.uploadTemporaries(in: home, name: "big.bin")
        print("server killed: after the restart, stale temporary files: \(stale)")
        let again = try Self.passwordClient(restarted, directory, user: "crash", password: "crash-pass-6")
        let small = try directory.write("after the crash\n", to: "small.txt")
        let listing = try await TestProcess.run(try again.sftp(batch: ["put \(small) big.bin", "ls -la"]))
        #expect(listing.succeeded, "\(listing)")
        #expect(!listing.stdoutText.contains("ferry-upload"), "\(listing)")
        #expect(FileManager.default.contents(atPath: home + "/big.bin") == Data("after the crash\n".utf8))
        try await restarted.stop()
    }

    // MARK: - Many at once

    @Test(
        "50 concurrent OpenSSH uploads of 20 MiB with 64 requests in flight: all complete, all recorded",
        arguments: ["local", "memory-object"]
    )
    func fiftyConcurrentUploads(storage: String) async throws {
        let count = 50
        let size = 20 << 20
        let clock = ContinuousClock()
        let began = clock.now
        let directory = try TemporaryDirectory(prefix: "ferry-robust-crowd")
        let server = try await FerryServeProcess.start(
            in: directory,
            users: "seed:unused-pass",
            storage: storage,
            environment: ["FERRY_LIMITS_MAX_CONNECTIONS_PER_IP": "200"]
        )
        let key = try await TestKeyPair.generate(.ed25519, in: directory, comment: "crowd")
        try await server.addUser("crowd", keys: [key.publicKeyPath])
        var client = try OpenSSHClient(
            port: server.port,
            directory: directory,
            identityFiles: [key.privateKeyPath],
            knownHostsFile: try server.knownHostsFile()
        )
        client.user = "crowd"

        // One seeded 20 MiB stream; each file differs in its first 64 bytes.
        let base = directory.path("base.bin")
        try await TestData.writeDeterministic(size: size, seed: 50, to: base)
        var contents = try Data(contentsOf: URL(fileURLWithPath: base))
        var expected: [String: String] = [:]
        for index in 0..<count {
            let header =
                Data(SHA256.hash(data: Data("ferry crowd \(index) a".utf8)))
                + Data(SHA256.hash(data: Data("ferry crowd \(index) b".utf8)))
            contents.replaceSubrange(0..<64, with: header)
            try contents.write(to: URL(fileURLWithPath: directory.path("up-\(index).bin")))
            expected["up-\(index).bin"] = SHA256.hash(data: contents).hexString
        }
        contents = Data()
        let generated = clock.now

        let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
            for index in 0..<count {
                let batch = try client.sftp(
                    batch: ["put \(directory.path("up-\(index).bin")) up-\(index).bin"],
                    extraArguments: ["-R", "64", "-B", "32768"]
                )
                group.addTask { try await TestProcess.run(batch, timeout: .seconds(540)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let uploaded = clock.now
        for result in results {
            #expect(result.succeeded, "\(result)")
        }

        var received: [String: String] = [:]
        if storage == "local" {
            for name in expected.keys {
                let data = try Data(contentsOf: URL(fileURLWithPath: server.userDirectory("crowd") + "/" + name))
                received[name] = SHA256.hash(data: data).hexString
            }
        } else {
            let downloads = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for name in expected.keys {
                    let batch = try client.sftp(batch: ["get \(name) \(directory.path("down-" + name))"])
                    group.addTask { try await TestProcess.run(batch, timeout: .seconds(540)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for result in downloads {
                #expect(result.succeeded, "\(result)")
            }
            for name in expected.keys {
                let data = try Data(contentsOf: URL(fileURLWithPath: directory.path("down-" + name)))
                received[name] = SHA256.hash(data: data).hexString
            }
        }
        #expect(received == expected)

        let records = try await server.transfers(user: "crowd").filter { $0["action"] as? String == "upload" }
        #expect(records.count == count)
        #expect(Set(records.compactMap { $0["path"] as? String }) == Set(expected.keys.map { "/" + $0 }))
        for record in records {
            #expect((record["bytes"] as? NSNumber)?.intValue == size, "\(record)")
            #expect(record["result"] as? String == "ok", "\(record)")
        }
        try await server.stop()
        print(
            "\(count) × 20 MiB concurrent uploads (\(storage)): data \(generated - began), uploads \(uploaded - generated),"
                + " whole test \(clock.now - began)"
        )
    }

    // MARK: - Shutdown

    @Test("SIGTERM with a 20 s grace: the running upload completes and is published, new connections are refused")
    func gracefulShutdownLetsUploadFinish() async throws {
        let (directory, server, home, big, upload) = try await Self.startSlowUpload(grace: "20s", seed: 7)
        defer { upload.terminate(grace: .zero) }
        let client = try Self.passwordClient(server, directory, user: "slow", password: "grace-pass-7")
        server.signal(SIGTERM)
        let closed = try await Self.eventually(timeout: .seconds(10)) { !FreePort.isAccepting(server.port) }
        #expect(closed, "still accepting connections after SIGTERM")
        let late = try await TestProcess.run(try client.sftp(batch: ["ls"]), timeout: .seconds(60))
        #expect(!late.succeeded, "a new connection was served after SIGTERM: \(late)")
        #expect(upload.isRunning, "the upload ended before the test could check it was still running")
        let finished = try await upload.waitForExit(timeout: .seconds(60))
        #expect(finished.succeeded, "\(finished)")
        let exited = try await server.process.waitForExit(timeout: .seconds(60))
        #expect(exited.succeeded, "\(exited)")
        let stored = try Data(contentsOf: URL(fileURLWithPath: home + "/slow.bin"))
        let local = try Data(contentsOf: URL(fileURLWithPath: big))
        #expect(stored == local)
        #expect(Self.uploadTemporaries(in: home, name: "slow.bin").isEmpty)
        let uploads = try await server.transfers(user: "slow").filter { $0["action"] as? String == "upload" }
        #expect(uploads.count == 1 && uploads.first?["result"] as? String == "ok", "\(uploads)")
    }

    @Test("SIGTERM with a 1 s grace: an upload that cannot finish is discarded and the server exits")
    func shortGraceDiscardsUpload() async throws {
        let (directory, server, home, _, upload) = try await Self.startSlowUpload(grace: "1s", seed: 8)
        defer { withExtendedLifetime(directory) {} }
        defer { upload.terminate(grace: .zero) }
        server.signal(SIGTERM)
        let exited = try await server.process.waitForExit(timeout: .seconds(30))
        #expect(exited.succeeded, "\(exited)")
        let finished = try await upload.waitForExit(timeout: .seconds(60))
        #expect(!finished.succeeded, "\(finished)")
        #expect(!Self.exists(home + "/slow.bin"))
        // The server waits for the sessions it closed to discard their uploads and record them before it exits.
        let left = Self.uploadTemporaries(in: home, name: "slow.bin")
        let uploads = try await server.transfers(user: "slow").filter { $0["action"] as? String == "upload" }
        #expect(left.isEmpty, "temporary file left after the grace period: \(left)")
        #expect(uploads.count == 1, "the aborted upload was not recorded: \(server.log)")
        #expect(uploads.first?["result"] as? String != "ok")
    }

    /// Starts a server with the given shutdown grace and a 30 MiB upload limited to 24,000 Kbit/s (about 10 s),
    /// and returns once the upload's temporary file holds at least 1 MiB.
    static func startSlowUpload(
        grace: String,
        seed: Int
    ) async throws -> (
        directory: TemporaryDirectory, server: FerryServeProcess, home: String, local: String,
        upload: RunningProcess
    ) {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-grace")
        let password = "grace-pass-\(seed)"
        let server = try await FerryServeProcess.start(
            in: directory,
            users: "slow:\(password)",
            environment: ["FERRY_SHUTDOWN_GRACE": grace]
        )
        let home = server.userDirectory("slow")
        let big = directory.path("slow.bin")
        try await TestData.writeDeterministic(size: 30 << 20, seed: seed, to: big)
        let client = try Self.passwordClient(server, directory, user: "slow", password: password)
        let upload = try TestProcess.start(
            try client.sftp(batch: ["put \(big) slow.bin"], extraArguments: ["-l", "24000"])
        )
        let started = try await Self.eventually(timeout: .seconds(60)) {
            Self.uploadTemporaries(in: home, name: "slow.bin").contains { Self.size(home + "/" + $0) >= 1 << 20 }
        }
        #expect(started, "no temporary upload file appeared: \(upload.stderrText)")
        return (directory, server, home, big, upload)
    }

    // MARK: - Bans and limits

    @Test("Three wrong passwords ban the address for 5 s; the log names the ban but no password")
    func banAfterFailures() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-ban")
        let server = try await FerryServeProcess.start(
            in: directory,
            users: "target:right-pass-9",
            environment: ["FERRY_BAN_FAILURES": "3", "FERRY_BAN_WINDOW": "1m", "FERRY_BAN_DURATION": "5s"]
        )
        let wrong = ["wrong-pass-Alpha", "wrong-pass-Bravo", "wrong-pass-Charlie"]
        func attempt(_ password: String) async throws -> ProcessResult {
            var client = try Self.passwordClient(server, directory, user: "target", password: password)
            client.options = ["PreferredAuthentications=password"]  // one attempt per connection
            return try await TestProcess.run(try client.sftp(batch: ["ls"]), timeout: .seconds(60))
        }
        for password in wrong {
            let result = try await attempt(password)
            #expect(!result.succeeded)
            #expect(result.stderrText.contains("Permission denied"), "\(result)")
        }
        let banned = ContinuousClock.now
        let refused = try await attempt("right-pass-9")
        #expect(!refused.succeeded, "the right password was accepted from a banned address: \(refused)")
        #expect(!refused.stderrText.contains("Permission denied"), "authentication was offered: \(refused)")
        #expect(server.log.contains("banned"), "\(server.log)")
        try await Task.sleep(until: banned + .seconds(5))
        let lifted = try await Self.eventually(timeout: .seconds(20), every: .seconds(1)) {
            try await attempt("right-pass-9").succeeded
        }
        #expect(lifted, "the right password is still refused after the ban: \(server.log)")
        try await server.stop()
        for password in wrong + ["right-pass-9"] {
            #expect(!server.log.contains(password), "the log holds a password")
        }
        print("banned connection: \(refused.stderrText)")
    }

    @Test("An idle sftp session is closed after the idle timeout; a busy one is not")
    func idleTimeout() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-idle")
        let server = try await FerryServeProcess.start(
            in: directory,
            users: "idler:idle-pass-10",
            environment: ["FERRY_LIMITS_IDLE_TIMEOUT": "2s"]
        )
        let client = try Self.passwordClient(server, directory, user: "idler", password: "idle-pass-10")
        let idle = try InteractiveSFTP(client, directory: directory, name: "idle")
        let busy = try InteractiveSFTP(client, directory: directory, name: "busy")
        defer {
            idle.close()
            busy.close()
        }
        try Data().write(to: URL(fileURLWithPath: server.userDirectory("idler") + "/marker.txt"))
        // `ls` asks the server (`pwd` would not): the busy session sends a request every half second.
        idle.send("ls")
        busy.send("ls")
        #expect(try await idle.waitForOutput("marker.txt", count: 1))
        #expect(try await busy.waitForOutput("marker.txt", count: 1))
        for round in 2...13 {
            try await Task.sleep(for: .milliseconds(500))
            busy.send("ls")
            #expect(try await busy.waitForOutput("marker.txt", count: round), "\(busy.process.stderrText)")
        }
        // Six seconds have passed: the idle session must be gone, the busy one still there. sftp itself waits
        // for its next command; ssh reports the disconnect, and the next request fails.
        let disconnected = try await Self.eventually(timeout: .seconds(20)) {
            idle.process.stderrText.contains("Disconnected from")
        }
        #expect(disconnected, "the idle session is still open: \(idle.process.stderrText)")
        idle.send("ls")
        let idleResult = try await idle.process.waitForExit(timeout: .seconds(30))
        #expect(!idleResult.succeeded, "\(idleResult)")
        #expect(!busy.process.stderrText.contains("Disconnected"), "\(busy.process.stderrText)")
        #expect(busy.process.isRunning)
        busy.send("bye")
        busy.close()
        let busyResult = try await busy.process.waitForExit(timeout: .seconds(30))
        #expect(busyResult.succeeded, "\(busyResult)")
        try await server.stop()
    }

    @Test("With at most 2 connections per address, a third is refused while two are open")
    func perAddressLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-perip")
        let server = try await FerryServeProcess.start(
            in: directory,
            users: "many:limit-pass-11",
            environment: ["FERRY_LIMITS_MAX_CONNECTIONS_PER_IP": "2"]
        )
        let client = try Self.passwordClient(server, directory, user: "many", password: "limit-pass-11")
        let first = try InteractiveSFTP(client, directory: directory, name: "first")
        let second = try InteractiveSFTP(client, directory: directory, name: "second")
        defer {
            first.close()
            second.close()
        }
        for session in [first, second] {
            session.send("pwd")
            #expect(try await session.waitForOutput("Remote working directory", count: 1))
        }
        let third = try await TestProcess.run(try client.sftp(batch: ["pwd"]), timeout: .seconds(60))
        #expect(!third.succeeded, "a third connection was served: \(third)")
        #expect(server.log.contains("too many connections from this address"), "\(server.log)")
        #expect(first.process.isRunning && second.process.isRunning)
        first.send("bye")
        first.close()
        _ = try await first.process.waitForExit(timeout: .seconds(30))
        let admitted = try await Self.eventually(timeout: .seconds(10), every: .milliseconds(500)) {
            try await TestProcess.run(try client.sftp(batch: ["pwd"]), timeout: .seconds(60)).succeeded
        }
        #expect(admitted, "no connection admitted after one of the two closed")
        second.send("bye")
        try await server.stop()
    }

    // MARK: - First start

    @Test("First start without users: a user \"ferry\" whose password is shown once and kept nowhere in clear")
    func firstStart() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-robust-first")
        let server = try await FerryServeProcess.start(in: directory, environment: ["FERRY_USERS": ""])
        #expect(try await server.process.waitForLine(prefix: "No users yet: created user \"ferry\"") != "")
        let passwordLine = try await server.process.waitForLine(prefix: "  password")
        let password = String(passwordLine.split(separator: " ").last ?? "")
        #expect(password.count >= 16, "\(passwordLine)")
        let connect = try await server.process.waitForLine(prefix: "  connect:")
        #expect(connect.hasSuffix("sftp -P \(server.port) ferry@127.0.0.1"), "\(connect)")
        let client = try Self.passwordClient(server, directory, user: "ferry", password: password)
        try await Self.expectStillServing(server, client, directory)
        try await server.stop()
        #expect(!server.log.contains(password), "the log holds the password")
        let everything = try Self.regularFiles(under: server.dataDirectory)
        #expect(everything.contains { $0.hasSuffix("/ferry.sqlite") }, "\(everything)")
        for file in everything {
            let contents = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(contents.range(of: Data(password.utf8)) == nil, "\(file) holds the password in clear")
        }
        let keys = server.dataDirectory + "/host_keys"
        let privateKeys = try FileManager.default.contentsOfDirectory(atPath: keys).filter { !$0.hasSuffix(".pub") }
        #expect(privateKeys.count == 3, "\(privateKeys)")
        for name in privateKeys {
            let mode = try FileManager.default.attributesOfItem(atPath: keys + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
    }

    // MARK: - Helpers

    /// A file's size, or 0 when it is gone.
    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Every entry under `root` (links not followed) with its type, mode, size, modification time and contents.
    static func snapshot(_ root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        func walk(_ relative: String) throws {
            let path = relative.isEmpty ? root : root + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let type = attributes[.type] as? FileAttributeType
            var description = "\(type?.rawValue ?? "?") mode=\(attributes[.posixPermissions] ?? "?")"
            description += " mtime=\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
            switch type {
            case .typeRegular?:
                let contents = try Data(contentsOf: URL(fileURLWithPath: path))
                description += " size=\(contents.count) sha256=\(SHA256.hash(data: contents))"
            case .typeSymbolicLink?:
                description += " -> \(try FileManager.default.destinationOfSymbolicLink(atPath: path))"
            case .typeDirectory?:
                for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                    try walk(relative.isEmpty ? name : relative + "/" + name)
                }
            default:
                break
            }
            entries[relative.isEmpty ? "." : relative] = description
        }
        try walk("")
        return entries
    }

    /// A client logging in to `server` as `user` with `password`, checking the server's host keys.
    static func passwordClient(
        _ server: FerryServeProcess,
        _ directory: TemporaryDirectory,
        user: String,
        password: String
    ) throws -> OpenSSHClient {
        var client = try OpenSSHClient(
            port: server.port,
            directory: directory,
            password: password,
            knownHostsFile: try server.knownHostsFile()
        )
        client.user = user
        return client
    }

    /// The command running the paramiko probe against `server`.
    static func probeCommand(
        _ server: FerryServeProcess,
        user: String,
        password: String,
        _ arguments: [String]
    ) throws -> TestCommand {
        TestCommand(
            PythonPeer.python,
            [PythonPeer.peersDirectory + "/sftp_probe.py"] + arguments + [
                "--port", String(server.port), "--user", user, "--password-env", "FERRY_PROBE_PASSWORD",
                "--known-hosts", try server.knownHostsFile(),
            ],
            environment: [
                "FERRY_PROBE_PASSWORD": password, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
            ]
        )
    }

    /// Runs the paramiko probe to completion and decodes its JSON line.
    static func probe(
        _ server: FerryServeProcess,
        user: String,
        password: String,
        _ arguments: [String]
    ) async throws -> [String: Any] {
        let result = try await TestProcess.run(
            try probeCommand(server, user: user, password: password, arguments),
            timeout: .seconds(300)
        )
        guard let line = result.stdoutText.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw FerryServeError("probe printed no report: \(result)")
        }
        return object
    }

    /// Fails when `text` holds a line of the host's /etc/passwd, or names of files that only /etc has.
    static func expectNoHostFiles(
        in text: String,
        context: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for line in try String(contentsOfFile: "/etc/passwd", encoding: .utf8).split(separator: "\n")
        where line.count >= 8 {
            #expect(!text.contains(line), "host /etc/passwd leaked \(context)", sourceLocation: sourceLocation)
        }
        for name in ["os-release", "hostname", "nsswitch.conf", "login.defs", "shadow"]
        where Self.exists("/etc/" + name) {
            #expect(!text.contains(name), "host /etc listed (\(name)) \(context)", sourceLocation: sourceLocation)
        }
    }

    /// Uploads a file, downloads it back and compares.
    static func expectStillServing(
        _ server: FerryServeProcess,
        _ client: OpenSSHClient,
        _ directory: TemporaryDirectory,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let payload = Data("still serving \(UUID())\n".utf8)
        let local = try directory.write(payload, to: "alive-up.txt")
        let back = directory.path("alive-down.txt")
        let result = try await TestProcess.run(
            try client.sftp(batch: ["put \(local) alive.txt", "get alive.txt \(back)", "rm alive.txt"])
        )
        #expect(result.succeeded, "\(result)", sourceLocation: sourceLocation)
        #expect(FileManager.default.contents(atPath: back) == payload, sourceLocation: sourceLocation)
    }

    /// Whether anything (a link included, dangling or not) has this path.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Regular files under `root` (links are not followed); `depth` 0 is the folder's own entries.
    static func regularFiles(under root: String, depth: Int = 8) throws -> [String] {
        var files: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = root + "/" + name
            let type = (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
            if type == .typeRegular {
                files.append(path)
            } else if type == .typeDirectory, depth > 0 {
                files += try regularFiles(under: path, depth: depth - 1)
            }
        }
        return files
    }

    /// Hidden temporary files of uploads to `name` in `folder` (`.NAME.ferry-upload-*`).
    static func uploadTemporaries(in folder: String, name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            $0.hasPrefix("." + name + ".ferry-upload-")
        }
    }

    /// Polls `condition` until it holds (true) or `timeout` passes (false).
    static func eventually(
        timeout: Duration,
        every interval: Duration = .milliseconds(100),
        _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
        }
        return try await condition()
    }
}

extension SHA256Digest {
    /// Lowercase hex.
    var hexString: String { self.map { String(format: "%02x", $0) }.joined() }
}

/// OpenSSH's sftp reading batch commands from a pipe the test keeps open, so a session can sit idle or be
/// driven one command at a time.
final class InteractiveSFTP: @unchecked Sendable {
    let process: RunningProcess
    private let lock = NSLock()
    private var writer: Int32

    init(_ client: OpenSSHClient, directory: TemporaryDirectory, name: String) throws {
        let fifo = directory.path(name + ".fifo")
        guard mkfifo(fifo, 0o600) == 0 else {
            throw FerryServeError("mkfifo \(fifo): \(String(cString: strerror(errno)))")
        }
        // Read-write, so opening never blocks and sftp's read end opens at once.
        self.writer = open(fifo, O_RDWR | O_CLOEXEC)
        guard self.writer >= 0 else { throw FerryServeError("open \(fifo): \(String(cString: strerror(errno)))") }
        self.process = try TestProcess.start(client.sftp(batchFile: "-"), stdin: .file(fifo))
    }

    deinit {
        self.close()
        self.process.terminate(grace: .zero)
    }

    /// Sends one command line.
    func send(_ line: String) {
        self.lock.withLock {
            guard self.writer >= 0 else { return }
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(self.writer, $0.baseAddress, $0.count) }
        }
    }

    /// Closes the pipe: sftp reads end of file.
    func close() {
        self.lock.withLock {
            if self.writer >= 0 {
                Glibc.close(self.writer)
                self.writer = -1
            }
        }
    }

    /// Waits until `text` appears `count` times on sftp's standard output.
    func waitForOutput(_ text: String, count: Int, timeout: Duration = .seconds(30)) async throws -> Bool {
        try await ServeRobustnessTests.eventually(timeout: timeout, every: .milliseconds(50)) {
            self.process.stdoutText.components(separatedBy: text).count - 1 >= count
        }
    }
}

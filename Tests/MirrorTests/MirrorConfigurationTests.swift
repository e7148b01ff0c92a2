import Events
import Foundation
import Mirror
import Synchronization
import Testing

@Suite struct MirrorGlobTests {
    @Test(arguments: [
        ("*.csv", "a.csv", true),
        ("*.csv", "dir/a.csv", false),
        ("**/*.csv", "a.csv", true),
        ("**/*.csv", "x/y/a.csv", true),
        ("**", "x/y/a.csv", true),
        ("tmp/**", "tmp/a", true),
        ("tmp/**", "tmpx/a", false),
        ("data/*/in.?", "data/2024/in.1", true),
        ("data/*/in.?", "data/2024/x/in.1", false),
        ("report-[0-9][0-9].txt", "report-07.txt", true),
        ("report-[!0-9]*", "report-07.txt", false),
        ("report-[!0-9]*", "report-x.txt", true),
        ("a\\*b", "a*b", true),
        ("a\\*b", "axb", false),
        ("[unclosed", "[unclosed", true),
        ("?", "/", false),
    ])
    func matchesLikeFnmatchWithGlobstar(pattern: String, path: String, expected: Bool) {
        #expect(MirrorGlob(pattern).matches(path) == expected)
    }

    @Test func includeAndExcludeCombine() {
        var configuration = MirrorConfiguration(sourceDirectory: "/in", destinationDirectory: "/out")
        #expect(configuration.selects("anything"))
        configuration.include = [MirrorGlob("*.csv"), MirrorGlob("*.json")]
        configuration.exclude = [MirrorGlob("secret*")]
        #expect(configuration.selects("a.json"))
        #expect(!configuration.selects("a.txt"))
        #expect(!configuration.selects("secret.csv"))
    }
}

@Suite struct MirrorConfigurationTests {
    @Test func defaultsAndDerivedPaths() {
        let configuration = MirrorConfiguration(sourceDirectory: "/outbox", destinationDirectory: "/data/in")
        #expect(configuration.stabilityInterval == 5)
        #expect(configuration.maximumAttempts == 5)
        #expect(configuration.schedule == .every(60))
        #expect(configuration.afterDownload == .keep)
        #expect(configuration.retryBackoff == .standard)
        #expect(configuration.resolvedLedgerPath == "/data/in/.ferry-mirror.sqlite")
        #expect(configuration.localPath(for: "a/b.csv") == "/data/in/a/b.csv")
        #expect(configuration.partialName(for: "a/b.csv") == "/data/in/a/.b.csv.ferry-partial")
        #expect(configuration.partialName(for: "top") == "/data/in/.top.ferry-partial")
    }

    @Test func readsTheSeedEnvironment() throws {
        let settings = try MirrorConfiguration.fromSeedEnvironment([
            "SFTP_HOST": "sftp.example.com",
            "SFTP_PORT": "2222",
            "SFTP_USERNAME": "bob",
            "SFTP_PASSWORD": "hunter2",
            "REMOTE_DIR": "/outgoing",
            "LOCAL_DIR": "/data",
            "DOWNLOAD_INTERVAL": "30",
        ])
        #expect(
            settings.connection
                == MirrorConnectionSettings(host: "sftp.example.com", port: 2222, username: "bob", password: "hunter2")
        )
        #expect(settings.configuration.sourceDirectory == "/outgoing")
        #expect(settings.configuration.destinationDirectory == "/data")
        #expect(settings.configuration.schedule == .every(30))
        #expect(!settings.connection.description.contains("hunter2"))
    }

    @Test func seedDefaultsArePort22AndAMinute() throws {
        let settings = try MirrorConfiguration.fromSeedEnvironment([
            "SFTP_HOST": "h", "SFTP_USERNAME": "u", "PRIVATE_KEY_PATH": "/keys/id_ed25519", "REMOTE_DIR": "/r",
            "LOCAL_DIR": "/l",
        ])
        #expect(settings.connection.port == 22)
        #expect(settings.connection.password == nil)
        #expect(settings.connection.privateKeyPath == "/keys/id_ed25519")
        #expect(settings.configuration.schedule == .every(60))
    }

    @Test(
        arguments: [
            ("SFTP_HOST", nil, "SFTP_HOST"),
            ("SFTP_USERNAME", "", "SFTP_USERNAME"),
            ("SFTP_PORT", "70000", "SFTP_PORT"),
            ("SFTP_PORT", "ssh", "SFTP_PORT"),
            ("REMOTE_DIR", nil, "REMOTE_DIR"),
            ("LOCAL_DIR", nil, "LOCAL_DIR"),
            ("DOWNLOAD_INTERVAL", "0", "DOWNLOAD_INTERVAL"),
            ("DOWNLOAD_INTERVAL", "soon", "DOWNLOAD_INTERVAL"),
            ("SFTP_PASSWORD", nil, "SFTP_PASSWORD"),
        ] as [(String, String?, String)]
    )
    func seedErrorsNameTheVariable(variable: String, value: String?, named: String) {
        var env = [
            "SFTP_HOST": "h", "SFTP_USERNAME": "u", "SFTP_PASSWORD": "p", "REMOTE_DIR": "/r", "LOCAL_DIR": "/l",
        ]
        env[variable] = value
        #expect(throws: MirrorConfigurationError.self) { try MirrorConfiguration.fromSeedEnvironment(env) }
        do {
            _ = try MirrorConfiguration.fromSeedEnvironment(env)
        } catch let error as MirrorConfigurationError {
            #expect(error.setting == named)
            #expect(error.description.hasPrefix(named + ": "))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

@Suite struct MirrorStatusTests {
    @Test func reportsCountsThePassErrorsDeadFilesAndTheOutbox() async throws {
        let rig = try Rig {
            $0.stabilityInterval = 0
            $0.maximumAttempts = 1
        }
        rig.remote.put("/outbox/ok", "fine", mtime: rig.old)
        rig.remote.put("/outbox/bad", "nope", mtime: rig.old)
        rig.remote.inject(.fail("permission denied"), into: "/outbox/bad")
        _ = try await rig.job().runOnce()
        let status = try await rig.ledger.status()
        #expect(status.counts == ["pending": 0, "downloading": 0, "done": 1, "dead": 1])
        #expect(status.source == "sftp://tester@memory:22/outbox")
        #expect(status.lastPassSucceeded == true)
        #expect(status.lastPassDownloaded == 1)
        #expect(status.deadFiles == ["/outbox/bad"])
        #expect(status.outboxPending == 1)
        #expect(status.isHealthy(now: rig.clock.now(), tolerance: 600))
        let text = status.text()
        #expect(text.contains("done         1"))
        #expect(text.contains("dead files:\n  /outbox/bad"))
        #expect(text.contains("outbox      1 pending"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(status.json().utf8)) as? [String: Any])
        #expect(json["deadFiles"] as? [String] == ["/outbox/bad"])
        #expect(json["outboxPending"] as? Int == 1)
    }

    @Test func failingPassesAreToleratedForAWhile() async throws {
        let rig = try Rig()
        rig.remote.failConnects(times: 100)
        let job = rig.job()
        await #expect(throws: MirrorSourceError.self) { try await job.runOnce() }
        rig.clock.advance(120)
        await #expect(throws: MirrorSourceError.self) { try await job.runOnce() }
        let status = try await rig.ledger.status()
        #expect(status.lastPassSucceeded == false)
        #expect(status.lastPassError == "connection lost: connection refused")
        #expect(status.failingSince == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(status.isHealthy(now: rig.clock.now(), tolerance: 300))
        #expect(!status.isHealthy(now: rig.clock.now(), tolerance: 60))
        #expect(status.healthDetails()["last_pass"] == "failed")
    }

    @Test func aNewLedgerIsHealthy() async throws {
        let rig = try Rig()
        let status = try await rig.ledger.status()
        #expect(status.lastPassAt == nil)
        #expect(status.isHealthy(now: Date(), tolerance: 0))
        #expect(status.text().contains("last pass   never"))
    }
}

@Suite struct MirrorLedgerOutboxTests {
    @Test func theLedgerIsAnOutboxThatDeliveryDrainsInOrder() async throws {
        let rig = try Rig()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for index in 1...3 { try await rig.ledger.enqueue(event: "e", body: [UInt8(index)], now: start) }
        let transport = CollectingTransport()
        let delivery = OutboxDelivery(store: rig.ledger, transport: transport, backoff: RetryBackoff(jitter: 0))
        transport.failNext()
        let failed = try await delivery.deliverDue(now: start)
        #expect(failed.failed)
        #expect(try await rig.ledger.due(now: start, limit: 10).map(\.id) == [2, 3])
        #expect(try await rig.ledger.nextAttemptTime() == start)
        let result = try await delivery.deliverDue(now: start.addingTimeInterval(1))
        #expect(result.delivered == 3)
        #expect(transport.bodies == [[1], [2], [3]])
        #expect(try await rig.ledger.pendingCount() == 0)
        #expect(try await rig.ledger.nextAttemptTime() == nil)
        let kept = try await rig.ledger.outboxMessages()
        #expect(kept.map(\.message.attempts) == [1, 0, 0])
        #expect(kept.allSatisfy { $0.deliveredAt != nil })
    }

    @Test func deliveredMessagesAreForgottenAfterAWeek() async throws {
        let rig = try Rig()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let first = try await rig.ledger.enqueue(event: "e", body: [1], now: start)
        try await rig.ledger.markDelivered(id: first, at: start)
        let later = start.addingTimeInterval(8 * 86_400)
        let second = try await rig.ledger.enqueue(event: "e", body: [2], now: later)
        try await rig.ledger.markDelivered(id: second, at: later)
        #expect(try await rig.ledger.outboxMessages().map(\.message.id) == [second])
    }
}

final class CollectingTransport: OutboxTransport {
    private let state = Mutex<(bodies: [[UInt8]], fail: Bool)>(([], false))

    var bodies: [[UInt8]] { self.state.withLock { $0.bodies } }

    func failNext() { self.state.withLock { $0.fail = true } }

    func send(_ message: OutboxMessage) async throws {
        try self.state.withLock { state in
            if state.fail {
                state.fail = false
                throw WebhookDeliveryError.status(code: 502, body: "")
            }
            state.bodies.append(message.body)
        }
    }
}

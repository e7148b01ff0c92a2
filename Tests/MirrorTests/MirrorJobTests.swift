import Events
import Foundation
import Synchronization
import Testing

@testable import Mirror

/// One mirror set-up: a remote in memory, a sandboxed destination, a ledger and a manual clock.
struct Rig {
    let remote = MemoryRemote()
    let sandbox: Sandbox
    let clock = ManualClock()
    var configuration: MirrorConfiguration
    var ledger: MirrorLedger

    init(_ configure: (inout MirrorConfiguration) -> Void = { _ in }) throws {
        self.sandbox = try Sandbox()
        var configuration = MirrorConfiguration(
            sourceDirectory: "/outbox",
            destinationDirectory: self.sandbox.destination,
            schedule: .every(60),
            webhook: WebhookEndpoint(url: "http://127.0.0.1:9/")
        )
        configure(&configuration)
        self.configuration = configuration
        try FileManager.default.createDirectory(atPath: self.sandbox.destination, withIntermediateDirectories: true)
        self.ledger = try MirrorLedger(path: configuration.resolvedLedgerPath)
        self.remote.state.withLock { _ = $0.directories.insert("/outbox") }
    }

    func job() -> MirrorJob {
        MirrorJob(
            configuration: self.configuration,
            connector: MemoryConnector(remote: self.remote),
            ledger: self.ledger,
            clock: self.clock
        )
    }

    /// Closes the ledger and opens it again, as a restarted process would.
    mutating func restart() throws {
        try self.ledger.close()
        self.ledger = try MirrorLedger(path: self.configuration.resolvedLedgerPath)
    }

    /// A remote modification time some minutes before the clock's now.
    var old: Int64 { self.clock.seconds - 600 }

    func events() async throws -> [[String: Any]] {
        try await self.ledger.outboxMessages().map {
            try #require(JSONSerialization.jsonObject(with: Data($0.message.body)) as? [String: Any])
        }
    }
}

@Suite struct MirrorJobTests {
    @Test func downloadsEachFileExactlyOnceAcrossARestart() async throws {
        var rig = try Rig { $0.recursive = true }
        rig.remote.put("/outbox/a.txt", "alpha", mtime: rig.old)
        rig.remote.put("/outbox/sub/b.txt", "bravo", mtime: rig.old)
        let report = try await rig.job().runOnce()
        #expect(Set(report.downloaded) == ["/outbox/a.txt", "/outbox/sub/b.txt"])
        #expect(rig.sandbox.read("a.txt") == "alpha")
        #expect(rig.sandbox.read("sub/b.txt") == "bravo")
        // New files were seen once, then again after the stability interval.
        #expect(rig.clock.sleeps == [5])

        try rig.restart()
        let second = try await rig.job().runOnce()
        #expect(second.downloaded.isEmpty)
        #expect(rig.remote.totalDownloads == 2)
        #expect(try await rig.ledger.files(in: .done).count == 2)
        #expect(try await rig.ledger.outboxMessages().count == 2)
        #expect(
            rig.sandbox.listing() == [
                ".ferry-mirror.sqlite", ".ferry-mirror.sqlite-shm", ".ferry-mirror.sqlite-wal",
                ".ferry-mirror.sqlite.lock", "a.txt", "sub", "sub/b.txt",
            ]
        )
    }

    @Test func theLedgerIsPrivate() throws {
        let rig = try Rig()
        let attributes = try FileManager.default.attributesOfItem(atPath: rig.configuration.resolvedLedgerPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func aGrowingFileIsNotTakenUntilItIsStable() async throws {
        let rig = try Rig()
        rig.remote.put("/outbox/big.log", "part1", mtime: rig.clock.seconds)
        let remote = rig.remote
        let clock = rig.clock
        // The writer appends while the job waits for stability.
        clock.onSleep { _ in remote.append("/outbox/big.log", "+more", mtime: clock.seconds) }
        let job = rig.job()
        let first = try await job.runOnce()
        #expect(first.downloaded.isEmpty)
        #expect(first.waiting == 1)
        #expect(!rig.sandbox.exists("big.log"))

        clock.onSleep(nil)
        clock.advance(60)
        let second = try await job.runOnce()
        #expect(second.downloaded == ["/outbox/big.log"])
        #expect(rig.sandbox.read("big.log") == "part1+more")
    }

    @Test func aZeroStabilityIntervalTakesFilesAtOnce() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/a", "x", mtime: rig.clock.seconds)
        #expect(try await rig.job().runOnce().downloaded == ["/outbox/a"])
        #expect(rig.clock.sleeps.isEmpty)
    }

    @Test func markerFilesReleaseTheirFileAndAreNeverDownloaded() async throws {
        let rig = try Rig {
            $0.markerSuffix = ".done"
            $0.afterDownload = .delete
        }
        rig.remote.put("/outbox/a.csv", "1,2,3", mtime: rig.clock.seconds)
        rig.remote.put("/outbox/b.csv", "4,5,6", mtime: rig.clock.seconds)
        rig.remote.put("/outbox/b.csv.done", "", mtime: rig.clock.seconds)
        rig.remote.put("/outbox/orphan.done", "", mtime: rig.clock.seconds)
        let job = rig.job()
        let first = try await job.runOnce()
        #expect(first.downloaded == ["/outbox/b.csv"])
        #expect(rig.clock.sleeps.isEmpty)
        #expect(!rig.remote.exists("/outbox/b.csv"))
        #expect(!rig.remote.exists("/outbox/b.csv.done"))

        rig.remote.put("/outbox/a.csv.done", "", mtime: rig.clock.seconds)
        #expect(try await job.runOnce().downloaded == ["/outbox/a.csv"])
        #expect(rig.sandbox.read("a.csv") == "1,2,3")
        #expect(!rig.sandbox.exists("a.csv.done"))
        #expect(!rig.sandbox.exists("orphan.done"))
        #expect(rig.remote.exists("/outbox/orphan.done"))
    }

    @Test func includeAndExcludePatternsSelectByRelativePath() async throws {
        let rig = try Rig {
            $0.recursive = true
            $0.include = [MirrorGlob("**/*.csv")]
            $0.exclude = [MirrorGlob("tmp/**")]
        }
        for path in ["a.csv", "x.txt", "d/b.csv", "d/e/c.csv", "tmp/t.csv"] {
            rig.remote.put("/outbox/" + path, path, mtime: rig.old)
        }
        let report = try await rig.job().runOnce()
        #expect(Set(report.downloaded) == ["/outbox/a.csv", "/outbox/d/b.csv", "/outbox/d/e/c.csv"])
        #expect(report.listed == 3)
    }

    @Test func filesYoungerThanTheMinimumAgeWait() async throws {
        let rig = try Rig {
            $0.minimumAge = 120
            $0.stabilityInterval = 0
        }
        rig.remote.put("/outbox/young", "y", mtime: rig.clock.seconds - 10)
        let job = rig.job()
        #expect(try await job.runOnce().downloaded.isEmpty)
        rig.clock.advance(110)
        #expect(try await job.runOnce().downloaded == ["/outbox/young"])
    }

    @Test func deleteAfterDownloadIsRetriedWithoutDownloadingAgain() async throws {
        let rig = try Rig { $0.afterDownload = .delete }
        rig.remote.put("/outbox/a", "content", mtime: rig.old)
        rig.remote.failRemoves(of: "/outbox/a", times: 1)
        let job = rig.job()
        let first = try await job.runOnce()
        #expect(first.downloaded == ["/outbox/a"])
        #expect(first.afterDownloadFailures["/outbox/a"]?.contains("permission denied") == true)
        #expect(rig.remote.exists("/outbox/a"))
        #expect(try await rig.ledger.file("/outbox/a")?.afterDownloadPending == true)

        let second = try await job.runOnce()
        #expect(second.downloaded.isEmpty)
        #expect(!rig.remote.exists("/outbox/a"))
        #expect(rig.remote.downloads("/outbox/a") == 1)
        let record = try await rig.ledger.file("/outbox/a")
        #expect(record?.afterDownloadPending == false)
        #expect(record?.state == .done)
        #expect(try await rig.ledger.outboxMessages().count == 1)
    }

    @Test func moveAfterDownloadKeepsTheRelativePathAndIsNotListedAgain() async throws {
        let rig = try Rig {
            $0.recursive = true
            $0.afterDownload = .move(to: "/outbox/archive/")
        }
        rig.remote.put("/outbox/a", "A", mtime: rig.old)
        rig.remote.put("/outbox/sub/b", "B", mtime: rig.old)
        let job = rig.job()
        #expect(Set(try await job.runOnce().downloaded) == ["/outbox/a", "/outbox/sub/b"])
        #expect(rig.remote.exists("/outbox/archive/a"))
        #expect(rig.remote.exists("/outbox/archive/sub/b"))
        #expect(!rig.remote.exists("/outbox/a"))
        #expect(!rig.remote.exists("/outbox/sub/b"))
        rig.clock.advance(60)
        let again = try await job.runOnce()
        #expect(again.downloaded.isEmpty)
        #expect(again.listed == 0)
        #expect(!rig.sandbox.exists("archive"))
    }

    /// A new version of a file that was moved before: the move replaces the earlier version in the folder, as
    /// the download replaced the local copy, instead of failing on every pass.
    @Test func moveAfterDownloadReplacesAnEarlierVersionInTheFolder() async throws {
        let rig = try Rig { $0.afterDownload = .move(to: "/outbox/archive") }
        rig.remote.put("/outbox/report.csv", "monday", mtime: rig.old)
        let job = rig.job()
        #expect(try await job.runOnce().downloaded == ["/outbox/report.csv"])
        rig.clock.advance(60)
        rig.remote.put("/outbox/report.csv", "tuesday", mtime: rig.old)
        let second = try await job.runOnce()
        #expect(second.downloaded == ["/outbox/report.csv"])
        #expect(second.afterDownloadFailures.isEmpty)
        #expect(rig.remote.content("/outbox/archive/report.csv") == "tuesday")
        #expect(!rig.remote.exists("/outbox/report.csv"))
        #expect(rig.sandbox.read("report.csv") == "tuesday")
    }

    @Test func failuresAreRetriedWithBackoffThenDeadLettered() async throws {
        let rig = try Rig {
            $0.stabilityInterval = 0
            $0.maximumAttempts = 3
            $0.retryBackoff = RetryBackoff(initial: 10, jitter: 0)
        }
        rig.remote.put("/outbox/bad", "never", mtime: rig.old)
        rig.remote.put("/outbox/good", "fine", mtime: rig.old)
        for _ in 0..<5 { rig.remote.inject(.fail("permission denied"), into: "/outbox/bad") }
        let job = rig.job()
        let first = try await job.runOnce()
        #expect(first.downloaded == ["/outbox/good"])
        #expect(first.failed["/outbox/bad"] == "permission denied")
        #expect(try await rig.ledger.file("/outbox/bad")?.attempts == 1)
        #expect(!rig.sandbox.listing().contains { $0.contains("ferry-partial") })

        // Not due yet: no attempt.
        rig.clock.advance(5)
        #expect(try await job.runOnce().failed.isEmpty)
        #expect(rig.remote.downloads("/outbox/bad") == 1)
        rig.clock.advance(5)
        #expect(try await job.runOnce().failed.count == 1)
        rig.clock.advance(20)
        let third = try await job.runOnce()
        #expect(third.dead == ["/outbox/bad"])
        rig.clock.advance(3600)
        #expect(try await job.runOnce().failed.isEmpty)
        #expect(rig.remote.downloads("/outbox/bad") == 3)

        let status = try await rig.ledger.status()
        #expect(status.deadFiles == ["/outbox/bad"])
        #expect(status.counts["dead"] == 1)
        #expect(status.counts["done"] == 1)
        #expect(status.recentErrors.first?.error == "permission denied")

        // An operator revives it; the server works again.
        #expect(try await rig.ledger.retryDead() == 1)
        rig.remote.state.withLock { $0.downloadFaults = [:] }
        #expect(try await job.runOnce().downloaded == ["/outbox/bad"])
        #expect(rig.sandbox.read("bad") == "never")
    }

    @Test func aConnectionLostMidDownloadIsResumedFromThePartialFile() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        let content = String(repeating: "0123456789", count: 100)
        rig.remote.put("/outbox/data.bin", content, mtime: rig.old)
        rig.remote.inject(.dropConnection(afterBytes: 420), into: "/outbox/data.bin")
        let job = rig.job()
        await #expect(throws: MirrorSourceError.self) { try await job.runOnce() }
        #expect(try await rig.ledger.file("/outbox/data.bin")?.state == .downloading)
        #expect(!rig.sandbox.exists("data.bin"))
        #expect(rig.sandbox.read(".data.bin.ferry-partial")?.count == 420)
        #expect(try await rig.ledger.status().lastPassSucceeded == false)

        let report = try await job.runOnce()
        #expect(report.downloaded == ["/outbox/data.bin"])
        #expect(report.bytes == 580)
        #expect(rig.remote.offsets("/outbox/data.bin") == [0, 420])
        #expect(rig.remote.connections == 2)
        #expect(rig.sandbox.read("data.bin") == content)
        #expect(!rig.sandbox.exists(".data.bin.ferry-partial"))
        #expect(try await rig.ledger.outboxMessages().count == 1)
        #expect(try await rig.ledger.status().lastPassSucceeded == true)
    }

    @Test func aChangedRemoteFileRestartsInsteadOfResuming() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/f", "old-old-old-old", mtime: rig.old)
        rig.remote.inject(.dropConnection(afterBytes: 4), into: "/outbox/f")
        let job = rig.job()
        await #expect(throws: MirrorSourceError.self) { try await job.runOnce() }
        rig.remote.put("/outbox/f", "brand new content", mtime: rig.old + 1)
        #expect(try await job.runOnce().downloaded == ["/outbox/f"])
        #expect(rig.sandbox.read("f") == "brand new content")
        #expect(rig.remote.offsets("/outbox/f") == [0, 0])
    }

    @Test func aCrashBetweenRenameAndDoneNeitherDownloadsAgainNorDuplicatesTheEvent() async throws {
        var rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/a", "payload", mtime: rig.old)
        let crashing = rig.job()
        await crashing.setFaultInjection { step, _ in
            if step == .afterRename { throw MirrorJob.Interruption() }
        }
        await #expect(throws: MirrorJob.Interruption.self) { try await crashing.runOnce() }
        #expect(rig.sandbox.read("a") == "payload")
        #expect(try await rig.ledger.file("/outbox/a")?.state == .downloading)
        #expect(try await rig.ledger.outboxMessages().isEmpty)

        try rig.restart()
        let report = try await rig.job().runOnce()
        #expect(report.downloaded == ["/outbox/a"])
        #expect(rig.remote.downloads("/outbox/a") == 1)
        #expect(try await rig.ledger.file("/outbox/a")?.state == .done)
        #expect(try await rig.ledger.outboxMessages().count == 1)
        #expect(try await rig.job().runOnce().downloaded.isEmpty)
        #expect(try await rig.ledger.outboxMessages().count == 1)
    }

    @Test func aCrashBeforeTheRenameFinishesFromTheCompletePartial() async throws {
        var rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/a", "payload", mtime: rig.old)
        let crashing = rig.job()
        await crashing.setFaultInjection { step, _ in
            if step == .afterStage { throw MirrorJob.Interruption() }
        }
        await #expect(throws: MirrorJob.Interruption.self) { try await crashing.runOnce() }
        #expect(!rig.sandbox.exists("a"))
        #expect(rig.sandbox.exists(".a.ferry-partial"))

        try rig.restart()
        #expect(try await rig.job().runOnce().downloaded == ["/outbox/a"])
        #expect(rig.remote.downloads("/outbox/a") == 1)
        #expect(rig.sandbox.read("a") == "payload")
        #expect(try await rig.ledger.outboxMessages().count == 1)
    }

    @Test func aLocalFileIsReplacedOnlyByACompleteNewVersion() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/r", "version one", mtime: rig.old)
        let job = rig.job()
        _ = try await job.runOnce()
        rig.remote.put("/outbox/r", "version two, longer", mtime: rig.old + 60)
        rig.remote.inject(.dropConnection(afterBytes: 3), into: "/outbox/r")
        await #expect(throws: MirrorSourceError.self) { try await job.runOnce() }
        #expect(rig.sandbox.read("r") == "version one")
        let report = try await job.runOnce()
        #expect(report.downloaded == ["/outbox/r"])
        #expect(rig.sandbox.read("r") == "version two, longer")
        let record = try await rig.ledger.file("/outbox/r")
        #expect(record?.version == 2)
        #expect(record?.size == 19)
        #expect(try await rig.ledger.outboxMessages().count == 2)
    }

    @Test func eachDownloadQueuesOneEventDescribingTheFile() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/report.csv", "a,b\n1,2\n", mtime: 1_700_000_000)
        let woken = WakeCounter()
        let job = MirrorJob(
            configuration: rig.configuration,
            connector: MemoryConnector(remote: rig.remote),
            ledger: rig.ledger,
            clock: rig.clock,
            eventQueued: { woken.increment() }
        )
        _ = try await job.runOnce()
        _ = try await job.runOnce()
        let messages = try await rig.ledger.outboxMessages()
        try #require(messages.count == 1)
        #expect(messages[0].message.event == "mirror.file.downloaded")
        #expect(woken.count == 1)
        var digest = ContentDigest()
        digest.update(Array("a,b\n1,2\n".utf8))
        let expected =
            #"{"downloaded_at":"2027-01-15T08:00:00Z","event":"mirror.file.downloaded","local_path":"\#(rig.sandbox.destination)/report.csv","mtime":"2023-11-14T22:13:20Z","path":"/outbox/report.csv","sha256":"\#(digest.finalize())","size":8,"source":"sftp://tester@memory:22/outbox"}"#
        #expect(String(decoding: messages[0].message.body, as: UTF8.self) == expected)
        #expect(try await rig.ledger.pendingCount() == 1)
    }

    @Test func withoutAWebhookNoEventsAreQueued() async throws {
        let rig = try Rig {
            $0.webhook = nil
            $0.stabilityInterval = 0
        }
        rig.remote.put("/outbox/a", "x", mtime: rig.old)
        #expect(try await rig.job().runOnce().downloaded == ["/outbox/a"])
        #expect(try await rig.ledger.outboxMessages().isEmpty)
    }

    @Test func fiveHundredFilesAppearingWhilePassesRunAreEachTakenOnce() async throws {
        let rig = try Rig { $0.recursive = true }
        let remote = rig.remote
        let clock = rig.clock
        let counter = WakeCounter()
        // Fifty files appear before each of the first five passes, and fifty more while each waits for stability.
        clock.onSleep { _ in
            let batch = counter.increment()
            guard batch <= 5 else { return }
            for index in 0..<50 {
                let number = 250 + (batch - 1) * 50 + index
                remote.put("/outbox/d\(number % 7)/f\(number)", "file \(number)", mtime: clock.seconds)
            }
        }
        let job = rig.job()
        for pass in 0..<12 {
            if pass < 5 {
                for index in 0..<50 {
                    let number = pass * 50 + index
                    remote.put("/outbox/d\(number % 7)/f\(number)", "file \(number)", mtime: clock.seconds)
                }
            }
            _ = try await job.runOnce()
            clock.advance(60)
        }
        #expect(remote.totalDownloads == 500)
        #expect(try await rig.ledger.files(in: .done).count == 500)
        #expect(try await rig.ledger.outboxMessages().count == 500)
        #expect(rig.sandbox.read("d3/f3") == "file 3")
        #expect(rig.sandbox.read("d2/f499") == "file 499")
    }

    @Test func remoteNamesThatCouldHurtAreSkipped() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/.ferry-mirror.sqlite", "not a ledger", mtime: rig.old)
        rig.remote.put("/outbox/.x.ferry-partial", "not a partial", mtime: rig.old)
        rig.remote.put("/outbox/fine", "ok", mtime: rig.old)
        #expect(try await rig.job().runOnce().downloaded == ["/outbox/fine"])
        #expect(try await rig.ledger.files().count == 1)
    }

    @Test func filesThatVanishBeforeTheySettleAreForgotten() async throws {
        let rig = try Rig()
        rig.remote.put("/outbox/tmp.part", "x", mtime: rig.clock.seconds)
        let remote = rig.remote
        rig.clock.onSleep { _ in remote.state.withLock { _ = $0.files.removeValue(forKey: "/outbox/tmp.part") } }
        let report = try await rig.job().runOnce()
        #expect(report.downloaded.isEmpty)
        #expect(try await rig.ledger.files().isEmpty)
        #expect(try await rig.ledger.status().counts["pending"] == 0)
    }

    @Test func aSecondJobOnTheSameLedgerIsRefused() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/a", "x", mtime: rig.old)
        _ = try await rig.job().runOnce()
        let other = try MirrorLedger(path: rig.configuration.resolvedLedgerPath)
        let intruder = MirrorJob(
            configuration: rig.configuration,
            connector: MemoryConnector(remote: rig.remote),
            ledger: other,
            clock: rig.clock
        )
        let error = await #expect(throws: MirrorLedgerError.self) { try await intruder.runOnce() }
        #expect(error?.message.contains("another ferry mirror") == true)
        await #expect(throws: MirrorLedgerError.self) { try await intruder.run() }
        // Reading the status needs no lock.
        #expect(try await other.status().counts["done"] == 1)
        try rig.ledger.close()
        _ = try await intruder.runOnce()
    }

    @Test func theRunLoopReconnectsAndKeepsGoing() async throws {
        let rig = try Rig { $0.stabilityInterval = 0 }
        rig.remote.put("/outbox/a", "x", mtime: rig.old)
        rig.remote.failConnects(times: 2)
        // Two reconnection waits, then the wait for the next pass parks the loop.
        rig.clock.blockAfter(sleeps: 3)
        let job = rig.job()
        let task = Task { try await job.run() }
        for _ in 0..<2000 {
            if rig.clock.sleeps.count == 3 { break }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        task.cancel()
        try await task.value
        #expect(try await rig.ledger.file("/outbox/a")?.state == .done)
        #expect(rig.remote.connections == 1)
        #expect(rig.clock.sleeps.count == 3)
    }

    @Test func onceModeRunsOnePass() async throws {
        let rig = try Rig {
            $0.schedule = .once
            $0.stabilityInterval = 0
        }
        rig.remote.put("/outbox/a", "x", mtime: rig.old)
        try await rig.job().run()
        #expect(rig.sandbox.read("a") == "x")
    }
}

final class WakeCounter: Sendable {
    private let value = Mutex(0)

    @discardableResult
    func increment() -> Int {
        self.value.withLock { value in
            value += 1
            return value
        }
    }

    var count: Int { self.value.withLock { $0 } }
}

import Events
import Foundation
import Logging

/// The time source of a mirror, injectable so tests need not wait.
public protocol MirrorClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Waits `seconds`, or throws `CancellationError` when the task is cancelled.
    func sleep(seconds: TimeInterval) async throws
}

/// The system's clock.
public struct SystemMirrorClock: MirrorClock {
    /// Creates the clock.
    public init() {}

    /// `Date()`.
    public func now() -> Date { Date() }

    /// `Task.sleep`.
    public func sleep(seconds: TimeInterval) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400 * 365) * 1_000_000_000))
    }
}

/// What one pass did.
public struct MirrorPassReport: Sendable, Equatable {
    /// When the pass started and ended.
    public var startedAt: Date
    /// See ``startedAt``.
    public var finishedAt: Date
    /// Files the listing selected (markers and filtered files not counted).
    public var listed: Int
    /// Remote paths downloaded, in order.
    public var downloaded: [String]
    /// Bytes written by this pass (resumed downloads count only the new bytes).
    public var bytes: UInt64
    /// Remote paths whose attempt failed, with the error.
    public var failed: [String: String]
    /// Remote paths that became dead in this pass.
    public var dead: [String]
    /// Selected files left for a later pass: not settled, too young, or waiting for their retry time.
    public var waiting: Int
    /// After-download actions that failed (retried next pass), by remote path.
    public var afterDownloadFailures: [String: String]

    /// Creates an empty report.
    public init(startedAt: Date) {
        self.startedAt = startedAt
        self.finishedAt = startedAt
        self.listed = 0
        self.downloaded = []
        self.bytes = 0
        self.failed = [:]
        self.dead = []
        self.waiting = 0
        self.afterDownloadFailures = [:]
    }
}

/// The mirror engine: passes that list the source, record what they see in the ledger and download each
/// settled new file exactly once.
///
/// A download goes to a hidden partial file next to its final name, is checked against the remote size,
/// flushed, renamed into place (a local file of that name is replaced only then), marked done together with
/// queueing its event, and then deleted or moved on the server when configured (a failure of that action is
/// recorded and retried next pass without downloading again). A connection lost mid-download leaves the file
/// `downloading`; the next pass resumes from the partial's size if the remote version is unchanged.
///
/// `kill -9` at any point leaves at worst a partial file (hidden, resumed or replaced later), never a partial
/// file under the real name, and never causes a done file to be downloaded again.
public actor MirrorJob {
    /// A point in a download where tests can make the job stop as if it had crashed.
    enum Step: Sendable {
        case afterStage
        case afterRename
    }

    /// Thrown by a fault-injection hook: ends the pass at once, leaving the ledger and files as they are.
    struct Interruption: Error {}

    /// What to mirror and how.
    public let configuration: MirrorConfiguration
    private let connector: any MirrorSourceConnector
    private let ledger: MirrorLedger
    private let clock: any MirrorClock
    private let logger: Logger
    private let eventQueued: @Sendable () -> Void
    private let reservedLocalPaths: Set<String>
    var faultInjection: (@Sendable (Step, String) throws -> Void)?
    private var session: (any MirrorSource)?
    private var reportedSkips: Set<String> = []

    /// Creates a job.
    ///
    /// - Parameters:
    ///   - configuration: What to mirror.
    ///   - connector: Opens sessions to the source (again after a connection is lost).
    ///   - ledger: The ledger (and outbox) the job records into.
    ///   - clock: The time source.
    ///   - logger: Where progress and failures are logged.
    ///   - eventQueued: Called after an event is queued, e.g. ``Events/OutboxDelivery/wake()``.
    public init(
        configuration: MirrorConfiguration,
        connector: any MirrorSourceConnector,
        ledger: MirrorLedger,
        clock: any MirrorClock = SystemMirrorClock(),
        logger: Logger = Logger(label: "ferry.mirror"),
        eventQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.connector = connector
        self.ledger = ledger
        self.clock = clock
        self.logger = logger
        self.eventQueued = eventQueued
        let ledgerPath = LocalFiles.canonical(ledger.path)
        self.reservedLocalPaths = Set(["", "-wal", "-shm", "-journal", ".lock"].map { ledgerPath + $0 })
    }

    func setFaultInjection(_ hook: (@Sendable (Step, String) throws -> Void)?) {
        self.faultInjection = hook
    }

    /// Closes the session, if one is open.
    public func close() async {
        await self.session?.close()
        self.session = nil
    }

    /// Runs passes on the configured schedule until the task is cancelled (or, with ``MirrorConfiguration/Schedule/once``,
    /// until one pass succeeds). A lost connection is re-established with the retry backoff; a failed pass is
    /// logged and the loop goes on; one bad file never stops it.
    ///
    /// - Throws: ``MirrorLedgerError`` when the ledger fails or another job holds it; with the `once` schedule,
    ///   the error of the last attempt when the pass could not complete after
    ///   ``MirrorConfiguration/maximumAttempts`` connection failures. `CancellationError` never escapes.
    public func run() async throws {
        var failures = 0
        while !Task.isCancelled {
            let start = self.clock.now()
            do {
                _ = try await self.runOnce()
                failures = 0
                if case .once = self.configuration.schedule { break }
            } catch is CancellationError {
                break
            } catch let error as MirrorLedgerError {
                // The ledger is unusable or taken by another job: nothing to retry.
                await self.close()
                throw error
            } catch {
                if Task.isCancelled { break }
                failures += 1
                let connection = Self.isConnectionProblem(error)
                self.logger.error(
                    "mirror pass failed",
                    metadata: ["error": "\(error)", "consecutive_failures": "\(failures)"]
                )
                if case .once = self.configuration.schedule {
                    if !connection || failures >= self.configuration.maximumAttempts {
                        await self.close()
                        throw error
                    }
                }
                if connection {
                    do {
                        try await self.clock.sleep(
                            seconds: self.configuration.retryBackoff.delay(afterAttempts: failures)
                        )
                    } catch { break }
                    continue
                }
            }
            guard case .every(let interval) = self.configuration.schedule else { continue }
            let wait = max(0, start.addingTimeInterval(interval).timeIntervalSince(self.clock.now()))
            do { try await self.clock.sleep(seconds: wait) } catch { break }
        }
        await self.close()
    }

    /// Runs one pass now (connecting first when needed) and records its outcome in the ledger.
    ///
    /// - Returns: What the pass did.
    /// - Throws: ``MirrorSourceError/connectionLost(_:)`` when the connection failed (the session is dropped;
    ///   the next pass reconnects), listing and ledger errors. Failures of single files are recorded, not thrown.
    public func runOnce() async throws -> MirrorPassReport {
        let started = self.clock.now()
        var report = MirrorPassReport(startedAt: started)
        // Outside the do: a second job on the same ledger must not record its refusal as a failed pass.
        try self.ledger.acquireJobLock()
        do {
            let session = try await self.connectedSession()
            try LocalFiles.makeDirectories(self.configuration.destinationDirectory)
            try await self.pass(session, &report)
            report.finishedAt = self.clock.now()
            try await self.ledger.recordPass(
                source: self.connector.description,
                startedAt: started,
                finishedAt: report.finishedAt,
                downloaded: report.downloaded.count,
                error: nil
            )
            self.logger.info(
                "mirror pass done",
                metadata: [
                    "listed": "\(report.listed)", "downloaded": "\(report.downloaded.count)",
                    "failed": "\(report.failed.count)", "waiting": "\(report.waiting)",
                ]
            )
            return report
        } catch {
            if Self.isConnectionProblem(error) || error is Interruption {
                await self.session?.close()
                self.session = nil
            }
            if !(error is Interruption) && !(error is CancellationError) {
                try? await self.ledger.recordPass(
                    source: self.connector.description,
                    startedAt: started,
                    finishedAt: self.clock.now(),
                    downloaded: report.downloaded.count,
                    error: String(describing: error)
                )
            }
            throw error
        }
    }

    // MARK: The pass

    private struct Listed {
        var entry: MirrorRemoteEntry
        var relativePath: String
    }

    private func pass(_ session: any MirrorSource, _ report: inout MirrorPassReport) async throws {
        try await self.retryAfterDownloadActions(session, &report)
        var (files, markers) = try await self.listSource(session)
        report.listed = files.count
        var records = try await self.ledger.observe(files.map(Self.observation), now: self.clock.now())
        var (ready, unsettled) = self.classify(files, markers: markers, records: records)
        if !unsettled.isEmpty {
            let now = self.clock.now()
            let wait =
                unsettled.map { self.configuration.stabilityInterval - now.timeIntervalSince($0.stableSince) }
                .max() ?? 0
            if wait > 0 { try await self.clock.sleep(seconds: min(wait, self.configuration.stabilityInterval)) }
            (files, markers) = try await self.listSource(session)
            report.listed = files.count
            records = try await self.ledger.observe(files.map(Self.observation), now: self.clock.now())
            (ready, unsettled) = self.classify(files, markers: markers, records: records)
        }
        try await self.ledger.forgetVanishedPending(seen: Set(files.map(\.entry.path)))
        let waitingCount =
            files.count - ready.count - records.values.filter { $0.state == .done || $0.state == .dead }.count
        report.waiting = max(0, waitingCount)
        let ordered = ready.sorted {
            ($0.modificationTime, $0.remotePath) < ($1.modificationTime, $1.remotePath)
        }
        for record in ordered {
            try Task.checkCancellation()
            try await self.download(record, session, &report)
        }
    }

    private static func observation(_ item: Listed) -> MirrorObservation {
        MirrorObservation(
            remotePath: item.entry.path,
            relativePath: item.relativePath,
            size: item.entry.size,
            modificationTime: item.entry.modificationTime
        )
    }

    /// Files that may be downloaded now, and files that are otherwise ready but not yet stable.
    private func classify(
        _ files: [Listed],
        markers: Set<String>,
        records: [String: MirrorFileRecord]
    ) -> (ready: [MirrorFileRecord], unsettled: [MirrorFileRecord]) {
        let now = self.clock.now()
        var ready: [MirrorFileRecord] = []
        var unsettled: [MirrorFileRecord] = []
        for item in files {
            guard let record = records[item.entry.path] else { continue }
            switch record.state {
            case .done, .dead: continue
            case .pending, .downloading: break
            }
            if let next = record.nextAttemptAt, next > now { continue }
            if self.configuration.minimumAge > 0 {
                let age = now.timeIntervalSince1970 - TimeInterval(item.entry.modificationTime)
                if age < self.configuration.minimumAge { continue }
            }
            if self.configuration.markerSuffix != nil {
                if markers.contains(item.relativePath) { ready.append(record) }
                continue
            }
            let stableFor = now.timeIntervalSince(record.stableSince)
            if self.configuration.stabilityInterval == 0 || stableFor >= self.configuration.stabilityInterval {
                ready.append(record)
            } else {
                unsettled.append(record)
            }
        }
        return (ready, unsettled)
    }

    /// The selected files under the source directory, and the relative paths that have a marker.
    private func listSource(_ session: any MirrorSource) async throws -> ([Listed], Set<String>) {
        var files: [Listed] = []
        var markers: Set<String> = []
        var directories: [(remote: String, relative: String)] = [(self.configuration.sourceDirectory, "")]
        let moveTarget: String? =
            if case .move(let target) = self.configuration.afterDownload { Self.trimmed(target) } else { nil }
        while let directory = directories.popLast() {
            let entries = try await session.list(directory.remote)
            for entry in entries {
                guard MirrorPaths.isSafeName(entry.name) else {
                    self.skipOnce(entry.path, "its name cannot be a local file name")
                    continue
                }
                let relative = directory.relative.isEmpty ? entry.name : directory.relative + "/" + entry.name
                switch entry.kind {
                case .directory:
                    guard self.configuration.recursive, Self.trimmed(entry.path) != moveTarget else { continue }
                    directories.append((entry.path, relative))
                case .other:
                    continue
                case .file:
                    if let suffix = self.configuration.markerSuffix, entry.name.hasSuffix(suffix) {
                        markers.insert(String(relative.dropLast(suffix.count)))
                        continue
                    }
                    if entry.name.hasSuffix(self.configuration.partialSuffix) {
                        self.skipOnce(entry.path, "its name looks like a partial download")
                        continue
                    }
                    guard self.configuration.selects(relative) else { continue }
                    let local = LocalFiles.canonical(self.configuration.localPath(for: relative))
                    if self.reservedLocalPaths.contains(local) {
                        self.skipOnce(entry.path, "it would overwrite the mirror's ledger")
                        continue
                    }
                    files.append(Listed(entry: entry, relativePath: relative))
                }
            }
        }
        return (files, markers)
    }

    private func skipOnce(_ path: String, _ reason: String) {
        guard self.reportedSkips.insert(path).inserted else { return }
        self.logger.warning("skipping a remote file", metadata: ["path": "\(path)", "reason": "\(reason)"])
    }

    // MARK: One file

    private func download(
        _ record: MirrorFileRecord,
        _ session: any MirrorSource,
        _ report: inout MirrorPassReport
    )
        async throws
    {
        let path = record.remotePath
        let size = record.size
        let local = self.configuration.localPath(for: record.relativePath)
        let partial = self.configuration.partialName(for: record.relativePath)
        do {
            let before = try await self.ledger.beginDownload(
                path,
                size: size,
                modificationTime: record.modificationTime,
                localPath: local,
                now: self.clock.now()
            )
            let resumable =
                before?.state == .downloading && before?.size == size
                && before?.modificationTime == record.modificationTime
            // A crash between the rename and the done mark: the final file is the staged one.
            if resumable, let staged = before?.stagedSHA256, !LocalFiles.exists(partial),
                LocalFiles.size(local) == size, LocalFiles.digest(local) == staged
            {
                self.logger.info("finishing a download interrupted after its rename", metadata: ["path": "\(path)"])
                try await self.finish(record, local: local, sha256: staged, session, &report)
                return
            }
            try LocalFiles.makeDirectories(MirrorPaths.directory(of: local))
            var offset: UInt64 = 0
            if resumable, let existing = LocalFiles.size(partial), existing <= size {
                offset = existing
                if offset > 0 {
                    self.logger.info("resuming a download", metadata: ["path": "\(path)", "offset": "\(offset)"])
                }
            } else {
                try LocalFiles.createEmpty(partial)
            }
            if offset < size {
                _ = try await session.download(path, to: partial, from: offset, progress: { _ in })
            }
            let written = LocalFiles.size(partial) ?? 0
            guard written == size else {
                LocalFiles.remove(partial)
                let now = try await session.stat(path)
                if let now, now.size != size || now.modificationTime != record.modificationTime {
                    try await self.ledger.release(path, reason: "changed during the download", now: self.clock.now())
                    return
                }
                throw LocalFiles.Failure(description: "downloaded \(written) bytes, but the file has \(size)")
            }
            report.bytes += size - offset
            let digest = try LocalFiles.syncAndDigest(partial)
            LocalFiles.setModificationTime(partial, seconds: record.modificationTime)
            try await self.ledger.stage(path, sha256: digest)
            try self.faultInjection?(.afterStage, path)
            try LocalFiles.renameDurably(partial, to: local)
            try self.faultInjection?(.afterRename, path)
            try await self.finish(record, local: local, sha256: digest, session, &report)
        } catch let error as MirrorSourceError {
            switch error {
            case .connectionLost:
                throw error
            case .noSuchFile:
                LocalFiles.remove(partial)
                try await self.ledger.release(path, reason: nil, now: self.clock.now())
            case .failed:
                try await self.recordFailure(record, error, partial: partial, &report)
            }
        } catch let error as Interruption {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as MirrorLedgerError {
            throw error
        } catch {
            try await self.recordFailure(record, error, partial: partial, &report)
        }
    }

    private func recordFailure(
        _ record: MirrorFileRecord,
        _ error: any Error,
        partial: String,
        _ report: inout MirrorPassReport
    ) async throws {
        LocalFiles.remove(partial)
        let description = String(describing: error)
        let backoff = self.configuration.retryBackoff
        let now = self.clock.now()
        let state = try await self.ledger.fail(
            record.remotePath,
            error: description,
            maximumAttempts: self.configuration.maximumAttempts,
            nextAttemptAt: { attempts in now.addingTimeInterval(backoff.delay(afterAttempts: attempts)) },
            now: now
        )
        report.failed[record.remotePath] = description
        if state == .dead {
            report.dead.append(record.remotePath)
            self.logger.error(
                "giving up on a file",
                metadata: ["path": "\(record.remotePath)", "error": "\(description)"]
            )
        } else {
            self.logger.warning(
                "download failed; will retry",
                metadata: ["path": "\(record.remotePath)", "error": "\(description)"]
            )
        }
    }

    private func finish(
        _ record: MirrorFileRecord,
        local: String,
        sha256: String,
        _ session: any MirrorSource,
        _ report: inout MirrorPassReport
    ) async throws {
        let now = self.clock.now()
        var event: (name: String, body: [UInt8])?
        if self.configuration.webhook != nil {
            let body = MirrorFileDownloadedEvent(
                source: self.connector.description,
                path: record.remotePath,
                localPath: local,
                size: record.size,
                modificationTime: record.modificationTime,
                sha256: sha256,
                downloadedAt: now
            ).body()
            event = (MirrorFileDownloadedEvent.name, body)
        }
        let action = self.configuration.afterDownload != .keep
        try await self.ledger.complete(
            record.remotePath,
            localPath: local,
            sha256: sha256,
            afterDownloadPending: action,
            event: event,
            now: now
        )
        report.downloaded.append(record.remotePath)
        self.logger.info("downloaded", metadata: ["path": "\(record.remotePath)", "size": "\(record.size)"])
        if event != nil { self.eventQueued() }
        if action {
            try await self.afterDownload(record, session, &report)
        }
    }

    // MARK: After download

    private func retryAfterDownloadActions(_ session: any MirrorSource, _ report: inout MirrorPassReport) async throws {
        guard self.configuration.afterDownload != .keep else { return }
        for record in try await self.ledger.filesAwaitingAfterDownload() {
            try await self.afterDownload(record, session, &report)
        }
    }

    private func afterDownload(
        _ record: MirrorFileRecord,
        _ session: any MirrorSource,
        _ report: inout MirrorPassReport
    )
        async throws
    {
        var paths = [(record.remotePath, record.relativePath)]
        if let suffix = self.configuration.markerSuffix {
            paths.append((record.remotePath + suffix, record.relativePath + suffix))
        }
        do {
            for (remote, relative) in paths {
                switch self.configuration.afterDownload {
                case .keep:
                    return
                case .delete:
                    do { try await session.remove(remote) } catch MirrorSourceError.noSuchFile {}
                case .move(let target):
                    let destination = MirrorPaths.join(Self.trimmed(target), relative)
                    try await self.makeRemoteDirectories(MirrorPaths.directory(of: destination), session)
                    do { try await session.rename(remote, to: destination) } catch MirrorSourceError.noSuchFile {}
                }
            }
            try await self.ledger.finishAfterDownload(record.remotePath, error: nil, now: self.clock.now())
        } catch let error as MirrorSourceError {
            if case .connectionLost = error { throw error }
            try await self.recordAfterDownloadFailure(record, error, &report)
        } catch let error as MirrorLedgerError {
            throw error
        } catch {
            try await self.recordAfterDownloadFailure(record, error, &report)
        }
    }

    private func recordAfterDownloadFailure(
        _ record: MirrorFileRecord,
        _ error: any Error,
        _ report: inout MirrorPassReport
    ) async throws {
        let description = "after download: \(error)"
        report.afterDownloadFailures[record.remotePath] = description
        self.logger.warning(
            "after-download action failed; will retry",
            metadata: ["path": "\(record.remotePath)", "error": "\(description)"]
        )
        try await self.ledger.finishAfterDownload(record.remotePath, error: description, now: self.clock.now())
    }

    private func makeRemoteDirectories(_ directory: String, _ session: any MirrorSource) async throws {
        guard directory != "/" && directory != "." && !directory.isEmpty else { return }
        if try await session.stat(directory) != nil { return }
        try await self.makeRemoteDirectories(MirrorPaths.directory(of: directory), session)
        try await session.makeDirectory(directory)
    }

    // MARK: Helpers

    private func connectedSession() async throws -> any MirrorSource {
        if let session = self.session { return session }
        do {
            let session = try await self.connector.connect()
            self.session = session
            return session
        } catch let error as MirrorSourceError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw MirrorSourceError.connectionLost(String(describing: error))
        }
    }

    static func isConnectionProblem(_ error: any Error) -> Bool {
        if case .connectionLost = error as? MirrorSourceError { return true }
        return false
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

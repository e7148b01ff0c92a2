import Events
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One remote path as the ledger knows it (a row of `mirror_files`, see ``MirrorLedgerSchema``).
public struct MirrorFileRecord: Sendable, Equatable, Codable {
    /// The full remote path.
    public var remotePath: String
    /// The path relative to the source and destination directories.
    public var relativePath: String
    /// Size of the version the state is about.
    public var size: UInt64
    /// Modification time (Unix seconds) of the version the state is about.
    public var modificationTime: Int64
    /// Where the version stands.
    public var state: MirrorFileState
    /// Failed attempts of this version.
    public var attempts: Int
    /// Why the latest attempt or after-download action failed.
    public var lastError: String?
    /// The first listing that showed the path.
    public var firstSeenAt: Date
    /// Size in the latest listing.
    public var observedSize: UInt64
    /// Modification time in the latest listing.
    public var observedModificationTime: Int64
    /// Since when the latest listing's size and modification time hold.
    public var stableSince: Date
    /// Not to be tried before this time (nil: at once).
    public var nextAttemptAt: Date?
    /// The local file.
    public var localPath: String?
    /// The digest of a complete partial about to be renamed into place.
    public var stagedSHA256: String?
    /// The digest of the done version.
    public var sha256: String?
    /// When the version was done.
    public var completedAt: Date?
    /// Whether the after-download action (delete or move on the server) is still to be done.
    public var afterDownloadPending: Bool
    /// 1 for the first version of the path, then +1 for each changed one.
    public var version: Int
    /// The latest change of the record.
    public var updatedAt: Date
}

/// A remote file as one listing shows it.
public struct MirrorObservation: Sendable, Equatable {
    /// The full remote path.
    public var remotePath: String
    /// The path relative to the source directory.
    public var relativePath: String
    /// Size.
    public var size: UInt64
    /// Modification time, Unix seconds.
    public var modificationTime: Int64

    /// Creates an observation.
    public init(remotePath: String, relativePath: String, size: UInt64, modificationTime: Int64) {
        self.remotePath = remotePath
        self.relativePath = relativePath
        self.size = size
        self.modificationTime = modificationTime
    }
}

/// The mirror's memory: which remote files were seen, taken, done or given up, plus the outbox of their events,
/// in one SQLite file (WAL, created with mode 0600, migrated on open).
///
/// **Versions.** A path is identified by its remote path; its version by size and modification time. A `done`
/// (or `dead`) path whose size or modification time changes is a new version: it goes back to `pending` with no
/// attempts and is downloaded again once settled, the ledger keeping only the latest. An unchanged `done` path is
/// never fetched again, by later passes, `--once` runs or restarts.
///
/// **Exactly once.** Marking a file done and queueing its event happen in one transaction. Just before a complete
/// partial file is renamed into place its digest is staged; a crash between the rename and the done mark leaves a
/// `downloading` record whose local file matches the staged digest, which the next pass marks done (queueing the
/// event then) without downloading again.
public final class MirrorLedger: OutboxStore, Sendable {
    /// How long an operation waits for another connection's write lock.
    public static let busyTimeout: TimeInterval = 5
    /// How long delivered outbox messages are kept.
    public static let deliveredRetention: TimeInterval = 7 * 86_400

    /// The ledger file.
    public let path: String
    private let pool: DatabasePool
    private let jobLock = Mutex<Int32?>(nil)

    /// The lock file a running job holds (``acquireJobLock()``): the ledger's path with `.lock` appended.
    public var lockPath: String { self.path + ".lock" }

    /// Opens (creating it with mode 0600 when missing) the ledger at `path`; its directory must exist.
    ///
    /// - Parameter path: The SQLite file.
    /// - Throws: ``MirrorLedgerError`` when it cannot be created, opened or migrated.
    public init(path: String) throws {
        try PrivateLedgerFile.create(path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "ferry-mirror.sqlite"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try MirrorLedgerSchema.migrator.migrate(pool)
            self.pool = pool
        } catch {
            throw MirrorLedgerError("cannot open the ledger \(path): \(Self.reason(error))")
        }
        self.path = path
    }

    /// Closes the connections and releases the job lock; later operations fail.
    ///
    /// - Throws: ``MirrorLedgerError`` when a connection is in use.
    public func close() throws {
        self.releaseJobLock()
        do { try self.pool.close() } catch { throw MirrorLedgerError("cannot close the ledger: \(Self.reason(error))") }
    }

    /// Takes the lock that keeps a second mirror job off this ledger (an advisory `flock` on ``lockPath``); held
    /// until ``close()`` or the end of the process. Taking it again in the same ledger does nothing. Readers such
    /// as `ferry mirror status` do not need it.
    ///
    /// - Throws: ``MirrorLedgerError`` when another job holds it or the lock file cannot be opened.
    public func acquireJobLock() throws {
        try self.jobLock.withLock { descriptor in
            guard descriptor == nil else { return }
            descriptor = try PrivateLedgerFile.lock(self.lockPath)
        }
    }

    deinit {
        self.releaseJobLock()
    }

    private func releaseJobLock() {
        self.jobLock.withLock { descriptor in
            if let open = descriptor { PrivateLedgerFile.unlock(open) }
            descriptor = nil
        }
    }

    // MARK: Files

    /// The record of `remotePath`, or nil.
    ///
    /// - Throws: ``MirrorLedgerError``.
    public func file(_ remotePath: String) async throws -> MirrorFileRecord? {
        try await self.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM mirror_files WHERE remote_path = ?", arguments: [remotePath])
                .map(Self.decodeFile)
        }
    }

    /// The records in `state` (all when nil), by remote path.
    ///
    /// - Throws: ``MirrorLedgerError``.
    public func files(in state: MirrorFileState? = nil) async throws -> [MirrorFileRecord] {
        try await self.read { db in
            if let state {
                return try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM mirror_files WHERE state = ? ORDER BY remote_path",
                    arguments: [state.rawValue]
                ).map(Self.decodeFile)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM mirror_files ORDER BY remote_path").map(Self.decodeFile)
        }
    }

    /// Puts a `dead` file (or every dead file when `remotePath` is nil) back to `pending` with no attempts, for
    /// an operator.
    ///
    /// - Returns: How many files were revived.
    /// - Throws: ``MirrorLedgerError``.
    @discardableResult
    public func retryDead(_ remotePath: String? = nil, now: Date = Date()) async throws -> Int {
        try await self.write { db in
            var sql = """
                UPDATE mirror_files SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ?
                WHERE state = 'dead'
                """
            var arguments: StatementArguments = [Self.ms(now)]
            if let remotePath {
                sql += " AND remote_path = ?"
                arguments += [remotePath]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount
        }
    }

    /// Records one listing: new paths are added as `pending`; a changed size or modification time restarts the
    /// stability clock; a `done` or `dead` path whose version changed becomes a new `pending` version.
    ///
    /// - Parameters:
    ///   - observations: The files the listing showed.
    ///   - now: The listing's time.
    /// - Returns: The records of the observed paths after the update, by remote path.
    /// - Throws: ``MirrorLedgerError``.
    public func observe(_ observations: [MirrorObservation], now: Date) async throws -> [String: MirrorFileRecord] {
        let time = Self.ms(now)
        return try await self.write { db in
            var records: [String: MirrorFileRecord] = [:]
            for item in observations {
                let size = Int64(bitPattern: item.size)
                if let row = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM mirror_files WHERE remote_path = ?",
                    arguments: [item.remotePath]
                ) {
                    let original = try Self.decodeFile(row)
                    var record = original
                    if record.observedSize != item.size || record.observedModificationTime != item.modificationTime {
                        record.observedSize = item.size
                        record.observedModificationTime = item.modificationTime
                        record.stableSince = now
                    }
                    let changed = record.size != item.size || record.modificationTime != item.modificationTime
                    switch record.state {
                    case .pending:
                        record.size = item.size
                        record.modificationTime = item.modificationTime
                    case .done, .dead:
                        if changed {
                            record.state = .pending
                            record.size = item.size
                            record.modificationTime = item.modificationTime
                            record.attempts = 0
                            record.lastError = nil
                            record.nextAttemptAt = nil
                            record.afterDownloadPending = false
                            record.version += 1
                            record.updatedAt = now
                        }
                    case .downloading:
                        // The version being downloaded changed: start over with the new one.
                        if changed {
                            record.state = .pending
                            record.size = item.size
                            record.modificationTime = item.modificationTime
                            record.stagedSHA256 = nil
                            record.updatedAt = now
                        }
                    }
                    records[item.remotePath] = record
                    guard record != original else { continue }
                    try db.execute(
                        sql: """
                            UPDATE mirror_files SET size = ?, mtime = ?, state = ?, attempts = ?, last_error = ?,
                                observed_size = ?, observed_mtime = ?, stable_since = ?,
                                next_attempt_at = ?, after_download_pending = ?, version = ?, updated_at = ?,
                                staged_sha256 = ?
                            WHERE remote_path = ?
                            """,
                        arguments: [
                            Int64(bitPattern: record.size), record.modificationTime, record.state.rawValue,
                            record.attempts, record.lastError, Int64(bitPattern: record.observedSize),
                            record.observedModificationTime, Self.ms(record.stableSince),
                            record.nextAttemptAt.map(Self.ms), record.afterDownloadPending ? 1 : 0, record.version,
                            Self.ms(record.updatedAt), record.stagedSHA256, item.remotePath,
                        ]
                    )
                } else {
                    try db.execute(
                        sql: """
                            INSERT INTO mirror_files (remote_path, relative_path, size, mtime, state, first_seen_at,
                                observed_size, observed_mtime, stable_since, updated_at)
                            VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            item.remotePath, item.relativePath, size, item.modificationTime, time, size,
                            item.modificationTime, time, time,
                        ]
                    )
                    records[item.remotePath] = MirrorFileRecord(
                        remotePath: item.remotePath,
                        relativePath: item.relativePath,
                        size: item.size,
                        modificationTime: item.modificationTime,
                        state: .pending,
                        attempts: 0,
                        firstSeenAt: Self.date(time),
                        observedSize: item.size,
                        observedModificationTime: item.modificationTime,
                        stableSince: Self.date(time),
                        afterDownloadPending: false,
                        version: 1,
                        updatedAt: Self.date(time)
                    )
                }
            }
            return records
        }
    }

    /// Forgets `pending` records (never downloaded) whose paths a complete listing no longer shows, so that
    /// files removed from the server before they settled do not linger in the counts.
    ///
    /// - Parameter seen: The remote paths of the listing.
    /// - Returns: How many records were forgotten.
    @discardableResult
    func forgetVanishedPending(seen: Set<String>) async throws -> Int {
        try await self.write { db in
            let pending = try String.fetchAll(db, sql: "SELECT remote_path FROM mirror_files WHERE state = 'pending'")
            var forgotten = 0
            for path in pending where !seen.contains(path) {
                try db.execute(
                    sql: "DELETE FROM mirror_files WHERE remote_path = ? AND state = 'pending'",
                    arguments: [path]
                )
                forgotten += db.changesCount
            }
            return forgotten
        }
    }

    /// Marks the start of a download of the given version; returns the record as it was before.
    func beginDownload(
        _ remotePath: String,
        size: UInt64,
        modificationTime: Int64,
        localPath: String,
        now: Date
    ) async throws -> MirrorFileRecord? {
        try await self.write { db in
            let before = try Row.fetchOne(
                db,
                sql: "SELECT * FROM mirror_files WHERE remote_path = ?",
                arguments: [remotePath]
            ).map(Self.decodeFile)
            let sameVersion =
                before?.state == .downloading && before?.size == size && before?.modificationTime == modificationTime
            try db.execute(
                sql: """
                    UPDATE mirror_files SET state = 'downloading', size = ?, mtime = ?, local_path = ?,
                        staged_sha256 = CASE WHEN ? THEN staged_sha256 ELSE NULL END, updated_at = ?
                    WHERE remote_path = ?
                    """,
                arguments: [
                    Int64(bitPattern: size), modificationTime, localPath, sameVersion, Self.ms(now), remotePath,
                ]
            )
            return before
        }
    }

    /// Records the digest of a complete partial file just before it is renamed into place.
    func stage(_ remotePath: String, sha256: String) async throws {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE mirror_files SET staged_sha256 = ? WHERE remote_path = ? AND state = 'downloading'",
                arguments: [sha256, remotePath]
            )
        }
    }

    /// Marks the version done and, in the same transaction, queues its event (when given).
    func complete(
        _ remotePath: String,
        localPath: String,
        sha256: String,
        afterDownloadPending: Bool,
        event: (name: String, body: [UInt8])?,
        now: Date
    ) async throws {
        let time = Self.ms(now)
        try await self.write { db in
            try db.execute(
                sql: """
                    UPDATE mirror_files SET state = 'done', local_path = ?, sha256 = ?, staged_sha256 = NULL,
                        completed_at = ?, last_error = NULL, next_attempt_at = NULL, after_download_pending = ?,
                        updated_at = ?
                    WHERE remote_path = ?
                    """,
                arguments: [localPath, sha256, time, afterDownloadPending ? 1 : 0, time, remotePath]
            )
            if let event {
                try Self.insertMessage(db, event: event.name, body: event.body, time: time)
            }
        }
    }

    /// Records a failed attempt: `pending` until `nextAttemptAt`, or `dead` once `maximumAttempts` are reached.
    ///
    /// - Returns: The new state.
    func fail(
        _ remotePath: String,
        error: String,
        maximumAttempts: Int,
        nextAttemptAt: @escaping @Sendable (Int) -> Date,
        now: Date
    ) async throws -> MirrorFileState {
        try await self.write { db in
            let attempts =
                try Int.fetchOne(
                    db,
                    sql: "SELECT attempts FROM mirror_files WHERE remote_path = ?",
                    arguments: [remotePath]
                ) ?? 0
            let total = attempts + 1
            let state: MirrorFileState = total >= maximumAttempts ? .dead : .pending
            try db.execute(
                sql: """
                    UPDATE mirror_files SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ?,
                        staged_sha256 = NULL, updated_at = ?
                    WHERE remote_path = ?
                    """,
                arguments: [
                    state.rawValue, total, String(error.prefix(1000)),
                    state == .dead ? nil : Self.ms(nextAttemptAt(total)), Self.ms(now), remotePath,
                ]
            )
            return state
        }
    }

    /// Puts a file back to `pending` without counting an attempt (it vanished from the server, or it changed
    /// while being downloaded).
    func release(_ remotePath: String, reason: String?, now: Date) async throws {
        try await self.write { db in
            try db.execute(
                sql: """
                    UPDATE mirror_files SET state = 'pending', staged_sha256 = NULL, last_error = ?, updated_at = ?
                    WHERE remote_path = ?
                    """,
                arguments: [reason, Self.ms(now), remotePath]
            )
        }
    }

    /// Done files whose after-download action is still to be done.
    func filesAwaitingAfterDownload() async throws -> [MirrorFileRecord] {
        try await self.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM mirror_files WHERE state = 'done' AND after_download_pending = 1
                    ORDER BY remote_path
                    """
            ).map(Self.decodeFile)
        }
    }

    /// Records the outcome of an after-download action (nil error: done).
    func finishAfterDownload(_ remotePath: String, error: String?, now: Date) async throws {
        try await self.write { db in
            try db.execute(
                sql: """
                    UPDATE mirror_files SET after_download_pending = ?, last_error = ?, updated_at = ?
                    WHERE remote_path = ?
                    """,
                arguments: [error == nil ? 0 : 1, error.map { String($0.prefix(1000)) }, Self.ms(now), remotePath]
            )
        }
    }

    /// Records the end of a pass (nil error: it succeeded).
    func recordPass(source: String, startedAt: Date, finishedAt: Date, downloaded: Int, error: String?) async throws {
        try await self.write { db in
            let ok = error == nil
            try db.execute(
                sql: """
                    UPDATE mirror_runs SET source = ?, last_pass_started_at = ?, last_pass_finished_at = ?,
                        last_pass_ok = ?, last_pass_error = ?, last_pass_downloaded = ?,
                        last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END,
                        failing_since = CASE WHEN ? THEN NULL ELSE COALESCE(failing_since, ?) END
                    WHERE id = 1
                    """,
                arguments: [
                    source, Self.ms(startedAt), Self.ms(finishedAt), ok ? 1 : 0, error.map { String($0.prefix(1000)) },
                    downloaded, ok, Self.ms(finishedAt), ok, Self.ms(startedAt),
                ]
            )
        }
    }

    /// The ledger's state for `ferry mirror status` and the health endpoint.
    ///
    /// - Parameter recentErrorLimit: How many of the latest file errors to include.
    /// - Returns: The status.
    /// - Throws: ``MirrorLedgerError``.
    public func status(recentErrorLimit: Int = 10) async throws -> MirrorStatus {
        try await self.read { db in
            var counts: [String: Int] = [:]
            for state in MirrorFileState.allCases { counts[state.rawValue] = 0 }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM mirror_files GROUP BY state") {
                counts[row["state"]] = row["n"]
            }
            let errors = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM mirror_files WHERE last_error IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT ?
                    """,
                arguments: [max(0, recentErrorLimit)]
            ).map(Self.decodeFile).map {
                MirrorStatus.FileError(
                    path: $0.remotePath,
                    state: $0.state,
                    attempts: $0.attempts,
                    error: $0.lastError ?? "",
                    at: $0.updatedAt
                )
            }
            let dead = try String.fetchAll(
                db,
                sql: "SELECT remote_path FROM mirror_files WHERE state = 'dead' ORDER BY remote_path"
            )
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? 0
            let outboxError = try String.fetchOne(
                db,
                sql: "SELECT last_error FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 1"
            )
            let run = try Row.fetchOne(db, sql: "SELECT * FROM mirror_runs WHERE id = 1")
            let finished: Int64? = run?["last_pass_finished_at"]
            let ok: Int64? = run?["last_pass_ok"]
            let success: Int64? = run?["last_success_at"]
            let failing: Int64? = run?["failing_since"]
            return MirrorStatus(
                source: run?["source"],
                counts: counts,
                lastPassAt: finished.map(Self.date),
                lastPassSucceeded: ok.map { $0 == 1 },
                lastPassError: run?["last_pass_error"],
                lastPassDownloaded: run?["last_pass_downloaded"] ?? 0,
                lastSuccessAt: success.map(Self.date),
                failingSince: failing.map(Self.date),
                recentErrors: errors,
                deadFiles: dead,
                outboxPending: pending,
                outboxLastError: outboxError
            )
        }
    }

    // MARK: Outbox

    /// Queues an event on its own.
    ///
    /// - Returns: The message id.
    @discardableResult
    public func enqueue(event: String, body: [UInt8], now: Date) async throws -> Int64 {
        let time = Self.ms(now)
        return try await self.write { db in try Self.insertMessage(db, event: event, body: body, time: time) }
    }

    /// Undelivered messages due at `now`, in id order.
    public func due(now: Date, limit: Int) async throws -> [OutboxMessage] {
        let time = now == .distantFuture ? Int64.max : Self.ms(now)
        return try await self.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?
                    """,
                arguments: [time, max(0, limit)]
            ).map { row in
                let body: Data = row["body"]
                return OutboxMessage(
                    id: row["id"],
                    event: row["event"],
                    body: [UInt8](body),
                    attempts: row["attempts"],
                    createdAt: Self.date(row["created_at"]),
                    nextAttemptAt: Self.date(row["next_attempt_at"]),
                    lastError: row["last_error"]
                )
            }
        }
    }

    /// The earliest retry time of an undelivered message.
    public func nextAttemptTime() async throws -> Date? {
        try await self.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL")
                .map(Self.date)
        }
    }

    /// Marks a message delivered and forgets messages delivered more than ``deliveredRetention`` ago.
    public func markDelivered(id: Int64, at: Date) async throws {
        let time = Self.ms(at)
        let horizon = Self.ms(at.addingTimeInterval(-Self.deliveredRetention))
        try await self.write { db in
            try db.execute(sql: "UPDATE outbox SET delivered_at = ? WHERE id = ?", arguments: [time, id])
            try db.execute(
                sql: "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
                arguments: [horizon]
            )
        }
    }

    /// Records a failed delivery.
    public func markFailed(id: Int64, error: String, nextAttemptAt: Date) async throws {
        try await self.write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                arguments: [String(error.prefix(1000)), Self.ms(nextAttemptAt), id]
            )
        }
    }

    /// Messages not yet delivered.
    public func pendingCount() async throws -> Int {
        try await self.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? 0
        }
    }

    /// Every outbox message still kept (delivered or not), in id order, with its delivery time.
    ///
    /// - Returns: The messages.
    /// - Throws: ``MirrorLedgerError``.
    public func outboxMessages() async throws -> [(message: OutboxMessage, deliveredAt: Date?)] {
        let messages = try await self.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id").map(Self.decodeDelivery)
        }
        return messages.map { ($0.message, $0.deliveredAt) }
    }

    private struct Delivery: Sendable {
        var message: OutboxMessage
        var deliveredAt: Date?
    }

    private static func decodeDelivery(_ row: Row) -> Delivery {
        let body: Data = row["body"]
        let delivered: Int64? = row["delivered_at"]
        return Delivery(
            message: OutboxMessage(
                id: row["id"],
                event: row["event"],
                body: [UInt8](body),
                attempts: row["attempts"],
                createdAt: Self.date(row["created_at"]),
                nextAttemptAt: Self.date(row["next_attempt_at"]),
                lastError: row["last_error"]
            ),
            deliveredAt: delivered.map(Self.date)
        )
    }

    // MARK: Helpers

    @discardableResult
    private static func insertMessage(_ db: Database, event: String, body: [UInt8], time: Int64) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO outbox (event, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?)",
            arguments: [event, Data(body), time, time]
        )
        return db.lastInsertedRowID
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await self.pool.read(body) } catch { throw MirrorLedgerError("ledger: \(Self.reason(error))") }
    }

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do { return try await self.pool.write(body) } catch { throw MirrorLedgerError("ledger: \(Self.reason(error))") }
    }

    static func ms(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    private static func decodeFile(_ row: Row) throws -> MirrorFileRecord {
        let stateText: String = row["state"]
        guard let state = MirrorFileState(rawValue: stateText) else {
            throw MirrorLedgerError("unknown file state '\(stateText.prefix(32))'")
        }
        let next: Int64? = row["next_attempt_at"]
        let completed: Int64? = row["completed_at"]
        let size: Int64 = row["size"]
        let observed: Int64 = row["observed_size"]
        let pending: Int64 = row["after_download_pending"]
        return MirrorFileRecord(
            remotePath: row["remote_path"],
            relativePath: row["relative_path"],
            size: UInt64(bitPattern: size),
            modificationTime: row["mtime"],
            state: state,
            attempts: row["attempts"],
            lastError: row["last_error"],
            firstSeenAt: Self.date(row["first_seen_at"]),
            observedSize: UInt64(bitPattern: observed),
            observedModificationTime: row["observed_mtime"],
            stableSince: Self.date(row["stable_since"]),
            nextAttemptAt: next.map(Self.date),
            localPath: row["local_path"],
            stagedSHA256: row["staged_sha256"],
            sha256: row["sha256"],
            completedAt: completed.map(Self.date),
            afterDownloadPending: pending == 1,
            version: row["version"],
            updatedAt: Self.date(row["updated_at"])
        )
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        if let error = error as? MirrorLedgerError { return error.message }
        return String(describing: error)
    }
}

/// Creation of the ledger file with owner-only permissions, before SQLite opens it.
private enum PrivateLedgerFile {
    /// Creates `path` with mode 0600 unless it exists (an existing file keeps its mode).
    static func create(_ path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MirrorLedgerError("cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }

    /// Opens `path` (mode 0600) and takes an exclusive `flock` on it without waiting.
    static func lock(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MirrorLedgerError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw MirrorLedgerError(
                busy
                    ? "another ferry mirror is using the ledger (\(path) is locked)"
                    : "cannot lock \(path): \(reason)"
            )
        }
        return descriptor
    }

    static func unlock(_ descriptor: Int32) {
        close(descriptor)
    }
}

/// A failure of the ledger's database.
public struct MirrorLedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { self.message }
}

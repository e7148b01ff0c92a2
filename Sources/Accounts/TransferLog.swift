import Foundation

/// Where transfer records go: an append-only log of logins and file operations.
public protocol TransferLog: Sendable {
    /// Appends a record. The store assigns its ``TransferRecord/id``; the one given is ignored.
    ///
    /// - Parameter r: The record.
    /// - Throws: Store failures.
    func record(_ r: TransferRecord) async throws

    /// Reads records.
    ///
    /// - Parameter query: Which records.
    /// - Returns: The matching records in chronological order (oldest first; records with the same time in the
    ///   order they were recorded), each with its ``TransferRecord/id``. With a limit, the newest ones.
    /// - Throws: Store failures.
    func records(_ query: TransferQuery) async throws -> [TransferRecord]
}

/// Which records ``TransferLog/records(_:)`` returns.
public struct TransferQuery: Sendable, Hashable {
    /// Only this user's records, when set.
    public var user: String?
    /// Only records at or after this time, when set.
    public var since: Date?
    /// At most this many records, the newest ones (still returned oldest first), when set. Zero or less
    /// returns none.
    public var limit: Int?

    /// Creates a query; with no arguments it matches every record.
    ///
    /// - Parameters:
    ///   - user: Only this user's records.
    ///   - since: Only records at or after this time.
    ///   - limit: At most this many of the newest matching records.
    public init(user: String? = nil, since: Date? = nil, limit: Int? = nil) {
        self.user = user
        self.since = since
        self.limit = limit
    }

    /// Whether `record` passes the user and time filters (the limit aside).
    ///
    /// - Parameter record: A record.
    /// - Returns: `true` when it matches.
    public func matches(_ record: TransferRecord) -> Bool {
        if let user, record.user != user { return false }
        if let since, record.timeMilliseconds < Self.sinceMilliseconds(since) { return false }
        return true
    }

    /// The first millisecond `since` includes: records are kept to the millisecond, so a bound inside a
    /// millisecond starts at the next one. A bound within a microsecond of a whole millisecond (as a record's own
    /// ``TransferRecord/time`` is, after floating-point conversions) is that millisecond.
    ///
    /// - Parameter since: The lower bound.
    /// - Returns: Milliseconds since the Unix epoch.
    public static func sinceMilliseconds(_ since: Date) -> Int64 {
        let exact = since.timeIntervalSince1970 * 1000
        let nearest = exact.rounded()
        let value = abs(exact - nearest) < 0.001 ? nearest : exact.rounded(.up)
        guard value.isFinite else { return value.isNaN ? 0 : (value > 0 ? Int64.max : Int64.min) }
        if value >= Double(Int64.max) { return Int64.max }
        if value <= Double(Int64.min) { return Int64.min }
        return Int64(value)
    }
}

/// A ``TransferLog`` held in memory: for tests, and for servers run without a database.
public actor InMemoryTransferLog: TransferLog {
    private var stored: [TransferRecord] = []
    private var nextID: Int64 = 1
    private let capacity: Int?

    /// Creates an empty log.
    ///
    /// - Parameter capacity: The most records kept; the oldest are dropped beyond it. `nil` keeps every record.
    public init(capacity: Int? = nil) {
        self.capacity = capacity.map { max(0, $0) }
    }

    /// Appends a record, giving it the next identifier.
    public func record(_ r: TransferRecord) {
        var record = r
        record.id = self.nextID
        self.nextID += 1
        // Keep chronological order: insert after every record that is not later.
        let time = record.timeMilliseconds
        if let last = self.stored.last, last.timeMilliseconds > time {
            let index = self.stored.lastIndex { $0.timeMilliseconds <= time }.map { $0 + 1 } ?? 0
            self.stored.insert(record, at: index)
        } else {
            self.stored.append(record)
        }
        if let capacity, self.stored.count > capacity {
            self.stored.removeFirst(self.stored.count - capacity)
        }
    }

    /// The matching records, oldest first; with a limit, the newest ones.
    public func records(_ query: TransferQuery) -> [TransferRecord] {
        let matching = self.stored.filter(query.matches)
        guard let limit = query.limit else { return matching }
        return Array(matching.suffix(max(0, limit)))
    }
}

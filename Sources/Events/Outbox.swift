import Foundation

/// One event waiting to leave (or delivered), as an outbox stores it.
public struct OutboxMessage: Sendable, Equatable {
    /// Unique and increasing; sent as the delivery id, so a receiver can drop a repeat.
    public var id: Int64
    /// What happened, e.g. `mirror.file.downloaded`; sent as `X-Ferry-Event`.
    public var event: String
    /// The exact bytes to send (JSON).
    public var body: [UInt8]
    /// Delivery attempts made so far.
    public var attempts: Int
    public var createdAt: Date
    /// Not to be tried before this time.
    public var nextAttemptAt: Date
    /// Why the latest attempt failed, if it did.
    public var lastError: String?

    public init(
        id: Int64,
        event: String,
        body: [UInt8],
        attempts: Int = 0,
        createdAt: Date,
        nextAttemptAt: Date,
        lastError: String? = nil
    ) {
        self.id = id
        self.event = event
        self.body = body
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
    }
}

/// A durable queue of events to deliver. A message stays until it is marked delivered, so events survive
/// restarts and a receiver that is down.
///
/// Stores usually keep the outbox next to the state the events describe, so that recording a change and
/// queueing its event happen in one transaction (see the mirror's ledger).
public protocol OutboxStore: Sendable {
    /// Queues an event on its own (outside any other transaction).
    @discardableResult
    func enqueue(event: String, body: [UInt8], now: Date) async throws -> Int64
    /// Undelivered messages whose `nextAttemptAt` is not after `now`, oldest first.
    func due(now: Date, limit: Int) async throws -> [OutboxMessage]
    /// The earliest `nextAttemptAt` of any undelivered message, or nil when nothing waits.
    func nextAttemptTime() async throws -> Date?
    func markDelivered(id: Int64, at: Date) async throws
    /// Records a failed attempt: `attempts` goes up by one and the message waits until `nextAttemptAt`.
    func markFailed(id: Int64, error: String, nextAttemptAt: Date) async throws
    /// Messages not yet delivered.
    func pendingCount() async throws -> Int
}

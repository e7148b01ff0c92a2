import Foundation

/// An ``OutboxStore`` in memory: for tests and for runs without a database. Its messages go with the process.
public actor InMemoryOutboxStore: OutboxStore {
    private var messages: [OutboxMessage] = []
    private var deliveredAt: [Int64: Date] = [:]
    private var lastID: Int64 = 0

    /// Creates an empty outbox.
    public init() {}

    /// Queues an event, due at once.
    ///
    /// - Returns: The new message's id.
    @discardableResult
    public func enqueue(event: String, body: [UInt8], now: Date) -> Int64 {
        self.lastID += 1
        self.messages.append(
            OutboxMessage(id: self.lastID, event: event, body: body, createdAt: now, nextAttemptAt: now)
        )
        return self.lastID
    }

    /// Undelivered messages due at `now`, oldest first.
    public func due(now: Date, limit: Int) -> [OutboxMessage] {
        Array(self.pending().filter { $0.nextAttemptAt <= now }.prefix(max(0, limit)))
    }

    /// The earliest retry time of an undelivered message.
    public func nextAttemptTime() -> Date? {
        self.pending().map(\.nextAttemptAt).min()
    }

    /// Marks a message delivered.
    public func markDelivered(id: Int64, at: Date) {
        guard self.messages.contains(where: { $0.id == id }) else { return }
        self.deliveredAt[id] = at
    }

    /// Records a failed attempt.
    public func markFailed(id: Int64, error: String, nextAttemptAt: Date) {
        guard let index = self.messages.firstIndex(where: { $0.id == id }) else { return }
        self.messages[index].attempts += 1
        self.messages[index].lastError = error
        self.messages[index].nextAttemptAt = nextAttemptAt
    }

    /// Messages not yet delivered.
    public func pendingCount() -> Int {
        self.pending().count
    }

    /// Every message ever queued, delivered or not, in id order.
    ///
    /// - Returns: The messages.
    public func allMessages() -> [OutboxMessage] {
        self.messages
    }

    /// When message `id` was delivered, or nil.
    ///
    /// - Parameter id: The message id.
    /// - Returns: The delivery time.
    public func deliveryTime(of id: Int64) -> Date? {
        self.deliveredAt[id]
    }

    private func pending() -> [OutboxMessage] {
        self.messages.filter { self.deliveredAt[$0.id] == nil }
    }
}

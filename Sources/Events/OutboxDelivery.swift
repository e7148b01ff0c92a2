import Foundation
import Logging

/// Delivers an outbox's messages through a transport, one at a time and in id order, retrying failures forever
/// with a ``RetryBackoff``.
///
/// Order is strict: a message that fails holds back the ones queued after it until it is delivered, so a
/// receiver sees events in the order they happened (and a receiver that was down for an hour gets all of them,
/// in order, when it comes back). Messages never expire. Use one delivery per outbox.
///
/// ``run()`` loops until its task is cancelled, sleeping until the first waiting message is due or until
/// ``wake()`` is called (after an enqueue); ``deliverDue(now:)`` performs one pass.
public actor OutboxDelivery {
    /// What one pass did.
    public struct PassResult: Sendable, Equatable {
        /// Messages delivered.
        public var delivered: Int
        /// Whether a delivery failed (which ends the pass).
        public var failed: Bool
        /// When the first still-waiting message is due, or nil when the outbox is empty.
        public var nextAttemptAt: Date?

        /// Creates a result.
        public init(delivered: Int, failed: Bool, nextAttemptAt: Date?) {
            self.delivered = delivered
            self.failed = failed
            self.nextAttemptAt = nextAttemptAt
        }
    }

    private let store: any OutboxStore
    private let transport: any OutboxTransport
    private let backoff: RetryBackoff
    private let batchSize: Int
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let signal = WakeSignal()

    /// Creates a delivery.
    ///
    /// - Parameters:
    ///   - store: The outbox.
    ///   - transport: How messages travel (a ``WebhookSender``).
    ///   - backoff: The waits between attempts of one message.
    ///   - batchSize: How many messages a pass reads at once.
    ///   - now: The clock.
    ///   - logger: Where failures are logged (never with secrets or bodies).
    public init(
        store: any OutboxStore,
        transport: any OutboxTransport,
        backoff: RetryBackoff = .standard,
        batchSize: Int = 100,
        now: @escaping @Sendable () -> Date = Date.init,
        logger: Logger = Logger(label: "ferry.outbox")
    ) {
        self.store = store
        self.transport = transport
        self.backoff = backoff
        self.batchSize = max(1, batchSize)
        self.now = now
        self.logger = logger
    }

    /// Ends the current wait of ``run()`` so that newly queued messages leave at once.
    public nonisolated func wake() {
        self.signal.signal()
    }

    /// Delivers the messages due at `now`, oldest first, stopping at the first failure or at the first message
    /// not yet due (so that no message overtakes an older one).
    ///
    /// - Parameter now: The time the pass runs at.
    /// - Returns: What the pass did.
    /// - Throws: The store's errors (a transport failure is recorded, not thrown).
    @discardableResult
    public func deliverDue(now: Date) async throws -> PassResult {
        var delivered = 0
        while true {
            // All waiting messages in id order, due or not: the head decides whether anything may go.
            let waiting = try await self.store.due(now: .distantFuture, limit: self.batchSize)
            guard !waiting.isEmpty else {
                return PassResult(delivered: delivered, failed: false, nextAttemptAt: nil)
            }
            for message in waiting {
                guard message.nextAttemptAt <= now else {
                    return PassResult(delivered: delivered, failed: false, nextAttemptAt: message.nextAttemptAt)
                }
                do {
                    try await self.transport.send(message)
                } catch {
                    let attempts = message.attempts + 1
                    let next = now.addingTimeInterval(self.backoff.delay(afterAttempts: attempts))
                    let reason = String(describing: error)
                    try await self.store.markFailed(id: message.id, error: reason, nextAttemptAt: next)
                    self.logger.warning(
                        "webhook delivery failed",
                        metadata: [
                            "delivery": "\(message.id)", "event": "\(message.event)", "attempts": "\(attempts)",
                            "error": "\(reason)",
                        ]
                    )
                    return PassResult(delivered: delivered, failed: true, nextAttemptAt: next)
                }
                try await self.store.markDelivered(id: message.id, at: now)
                delivered += 1
            }
        }
    }

    /// Delivers until the task is cancelled: a pass, then a sleep until the first waiting message is due (or
    /// until ``wake()``), and again. Store errors are logged and retried after a short wait.
    public func run() async {
        var storeFailures = 0
        while !Task.isCancelled {
            var sleep: Double?
            do {
                let result = try await self.deliverDue(now: self.now())
                storeFailures = 0
                if let next = result.nextAttemptAt { sleep = max(0, next.timeIntervalSince(self.now())) }
            } catch {
                storeFailures += 1
                sleep = self.backoff.delay(afterAttempts: storeFailures)
                self.logger.error("cannot read the outbox", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { return }
            await self.signal.wait(seconds: sleep)
        }
    }
}

import Events
import Foundation
import Synchronization
import Testing

/// A transport that records what it sends and fails while told to.
final class RecordingTransport: OutboxTransport {
    private struct State {
        var sent: [Int64] = []
        var calls: [Int64] = []
        var failuresLeft = 0
    }

    private let state = Mutex(State())

    init(failures: Int = 0) {
        self.state.withLock { $0.failuresLeft = failures }
    }

    var sent: [Int64] { self.state.withLock { $0.sent } }
    var calls: [Int64] { self.state.withLock { $0.calls } }

    func fail(next count: Int) {
        self.state.withLock { $0.failuresLeft = count }
    }

    func send(_ message: OutboxMessage) async throws {
        try self.state.withLock { state in
            state.calls.append(message.id)
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw WebhookDeliveryError.status(code: 503, body: "busy")
            }
            state.sent.append(message.id)
        }
    }
}

@Suite struct OutboxDeliveryTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func filledStore(_ count: Int) async -> InMemoryOutboxStore {
        let store = InMemoryOutboxStore()
        for index in 1...count {
            await store.enqueue(event: "test.event", body: Array("{\"n\":\(index)}".utf8), now: self.start)
        }
        return store
    }

    @Test func deliversInIdOrder() async throws {
        let store = await self.filledStore(5)
        let transport = RecordingTransport()
        let delivery = OutboxDelivery(store: store, transport: transport)
        let result = try await delivery.deliverDue(now: self.start)
        #expect(result == OutboxDelivery.PassResult(delivered: 5, failed: false, nextAttemptAt: nil))
        #expect(transport.sent == [1, 2, 3, 4, 5])
        #expect(await store.pendingCount() == 0)
    }

    @Test func aFailureHoldsBackLaterMessagesUntilItIsDelivered() async throws {
        let store = await self.filledStore(3)
        let transport = RecordingTransport(failures: 1)
        let delivery = OutboxDelivery(store: store, transport: transport, backoff: RetryBackoff(jitter: 0))
        let first = try await delivery.deliverDue(now: self.start)
        #expect(first.failed)
        #expect(first.delivered == 0)
        #expect(first.nextAttemptAt == self.start.addingTimeInterval(1))
        #expect(transport.calls == [1])
        // Messages 2 and 3 are due, but 1 is not yet: nothing may overtake it.
        let early = try await delivery.deliverDue(now: self.start.addingTimeInterval(0.5))
        #expect(early.delivered == 0)
        #expect(transport.calls == [1])
        let later = try await delivery.deliverDue(now: self.start.addingTimeInterval(1))
        #expect(later.delivered == 3)
        #expect(transport.sent == [1, 2, 3])
    }

    @Test func failingThenWorkingDeliversEachMessageOnceAndCountsAttempts() async throws {
        let store = await self.filledStore(4)
        let transport = RecordingTransport(failures: 3)
        let delivery = OutboxDelivery(store: store, transport: transport, backoff: RetryBackoff(jitter: 0))
        var now = self.start
        for _ in 0..<10 {
            let result = try await delivery.deliverDue(now: now)
            guard let next = result.nextAttemptAt else { break }
            now = next
        }
        #expect(transport.sent == [1, 2, 3, 4])
        #expect(transport.calls == [1, 1, 1, 1, 2, 3, 4])
        let messages = await store.allMessages()
        #expect(messages.map(\.attempts) == [3, 0, 0, 0])
        #expect(messages[0].lastError == "the receiver answered HTTP 503: busy")
        // Waits doubled: 1 s, 2 s, 4 s.
        #expect(now == self.start.addingTimeInterval(7))
        #expect(await store.pendingCount() == 0)
    }

    @Test func runDeliversWhatIsQueuedAfterAWake() async throws {
        let store = InMemoryOutboxStore()
        let transport = RecordingTransport()
        let delivery = OutboxDelivery(store: store, transport: transport)
        let task = Task { await delivery.run() }
        defer { task.cancel() }
        for index in 1...3 {
            await store.enqueue(event: "test.event", body: [UInt8(index)], now: Date())
            delivery.wake()
        }
        try await waitUntil { transport.sent.count == 3 }
        #expect(transport.sent == [1, 2, 3])
        task.cancel()
        await task.value
    }

    @Test func runRetriesUntilTheTransportWorks() async throws {
        let store = await self.filledStore(3)
        let transport = RecordingTransport(failures: 4)
        let delivery = OutboxDelivery(
            store: store,
            transport: transport,
            backoff: RetryBackoff(initial: 0.001, maximum: 0.004)
        )
        let task = Task { await delivery.run() }
        try await waitUntil { transport.sent.count == 3 }
        task.cancel()
        await task.value
        #expect(transport.sent == [1, 2, 3])
        #expect(await store.allMessages().map(\.attempts) == [4, 0, 0])
    }
}

/// Polls `condition` every few milliseconds; fails the test if it does not hold within a generous safeguard.
func waitUntil(_ condition: @Sendable () async -> Bool) async throws {
    for _ in 0..<3000 {
        if await condition() { return }
        try await Task.sleep(nanoseconds: 5_000_000)
    }
    Issue.record("the condition never held")
}

import Crypto
import Events
import Foundation
import Testing

@Suite struct WebhookSenderTests {
    let secret = Array("s3cr3t-webhook-key".utf8)

    func message(_ id: Int64) -> OutboxMessage {
        OutboxMessage(
            id: id,
            event: "mirror.file.downloaded",
            body: Array(#"{"path":"/outbox/a.csv","n":\#(id)}"#.utf8),
            createdAt: Date(),
            nextAttemptAt: Date()
        )
    }

    @Test func postsJSONWithFerryHeadersAndAValidSignature() async throws {
        let receiver = try await TestHTTPReceiver.start()
        defer { Task { try? await receiver.stop() } }
        let endpoint = WebhookEndpoint(
            url: "http://127.0.0.1:\(receiver.port)/hooks/ferry",
            secret: self.secret,
            headers: [("X-Tenant", "acme"), ("User-Agent", "not-ferry")]
        )
        let sender = WebhookSender(endpoint: endpoint, now: { Date(timeIntervalSince1970: 1_700_000_123.9) })
        let message = self.message(42)
        try await sender.send(message)
        let requests = receiver.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.method == "POST")
        #expect(request.uri == "/hooks/ferry")
        #expect(request.body == message.body)
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("User-Agent") == "ferry")
        #expect(request.header("X-Ferry-Event") == "mirror.file.downloaded")
        #expect(request.header("X-Ferry-Delivery") == "42")
        #expect(request.header("X-Ferry-Timestamp") == "1700000123")
        #expect(request.header("X-Tenant") == "acme")
        let signature = try #require(request.header("X-Ferry-Signature"))
        // Recomputed here with CryptoKit's HMAC, independently of WebhookSignature.
        var mac = HMAC<SHA256>(key: SymmetricKey(data: self.secret))
        mac.update(data: Array("1700000123.".utf8) + request.body)
        let hex = Array(mac.finalize()).map { String(format: "%02x", $0) }.joined()
        #expect(signature == "sha256=" + hex)
        #expect(
            WebhookSignature(secret: self.secret).verify(
                header: signature,
                body: request.body,
                timestamp: 1_700_000_123
            )
        )
    }

    @Test func withoutASecretNoSignatureIsSent() async throws {
        let receiver = try await TestHTTPReceiver.start()
        defer { Task { try? await receiver.stop() } }
        let sender = WebhookSender(endpoint: WebhookEndpoint(url: "http://127.0.0.1:\(receiver.port)/"))
        try await sender.send(self.message(1))
        #expect(receiver.requests.first?.header("X-Ferry-Signature") == nil)
        #expect(receiver.requests.first?.header("X-Ferry-Timestamp") != nil)
    }

    @Test func aRefusalThrowsTheStatusAndTheStartOfTheBody() async throws {
        let receiver = try await TestHTTPReceiver.start()
        defer { Task { try? await receiver.stop() } }
        receiver.respond(status: 500, body: String(repeating: "e", count: 300))
        let sender = WebhookSender(
            endpoint: WebhookEndpoint(url: "http://127.0.0.1:\(receiver.port)/", secret: self.secret)
        )
        let error = try await #require(throws: WebhookDeliveryError.self) { try await sender.send(self.message(1)) }
        #expect(error == .status(code: 500, body: String(repeating: "e", count: 200)))
        #expect(error.description.contains("HTTP 500"))
        #expect(!error.description.contains("s3cr3t"))
    }

    @Test func aClosedPortThrowsATransportErrorWithoutTheSecret() async throws {
        let receiver = try await TestHTTPReceiver.start()
        let port = receiver.port
        try await receiver.stop()
        let endpoint = WebhookEndpoint(url: "http://127.0.0.1:\(port)/", secret: self.secret, timeout: 2)
        let error = try await #require(throws: WebhookDeliveryError.self) {
            try await WebhookSender(endpoint: endpoint).send(self.message(1))
        }
        guard case .transport = error else {
            Issue.record("expected a transport error, got \(error)")
            return
        }
        #expect(!error.description.contains("s3cr3t"))
        #expect(!endpoint.description.contains("s3cr3t"))
    }

    @Test func credentialsInTheURLAreNeverShown() {
        let endpoint = WebhookEndpoint(url: "https://hook:pa55@example.com/in?x=1", secret: self.secret)
        #expect(endpoint.redactedURL == "https://***@example.com/in?x=1")
        #expect(endpoint.description == "https://***@example.com/in?x=1 (signed)")
        #expect(WebhookEndpoint(url: "http://example.com/a@b").redactedURL == "http://example.com/a@b")
    }

    @Test func aReceiverDownForAWhileGetsEveryMessageOnceWhenItComesBack() async throws {
        let first = try await TestHTTPReceiver.start()
        let port = first.port
        try await first.stop()
        let store = InMemoryOutboxStore()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 1...5 { await store.enqueue(event: "mirror.file.downloaded", body: [UInt8(index)], now: start) }
        let sender = WebhookSender(
            endpoint: WebhookEndpoint(url: "http://127.0.0.1:\(port)/", secret: self.secret, timeout: 2)
        )
        let delivery = OutboxDelivery(store: store, transport: sender, backoff: RetryBackoff(jitter: 0))
        var now = start
        for _ in 0..<3 {
            let result = try await delivery.deliverDue(now: now)
            #expect(result.failed)
            now = try #require(result.nextAttemptAt)
        }
        let messages = await store.allMessages()
        #expect(messages[0].attempts == 3)
        #expect(messages[0].lastError?.hasPrefix("cannot deliver to http://127.0.0.1:\(port)/") == true)
        #expect(messages[0].lastError?.contains("s3cr3t") == false)

        let receiver = try await TestHTTPReceiver.start(port: port)
        defer { Task { try? await receiver.stop() } }
        let result = try await delivery.deliverDue(now: now)
        #expect(result == OutboxDelivery.PassResult(delivered: 5, failed: false, nextAttemptAt: nil))
        #expect(try await delivery.deliverDue(now: now.addingTimeInterval(3600)).delivered == 0)
        let requests = receiver.requests
        #expect(requests.map { $0.header("X-Ferry-Delivery") } == ["1", "2", "3", "4", "5"])
        #expect(requests.map(\.body) == [[1], [2], [3], [4], [5]])
        let signer = WebhookSignature(secret: self.secret)
        for request in requests {
            let timestamp = try #require(request.header("X-Ferry-Timestamp").flatMap { Int64($0) })
            #expect(
                signer.verify(
                    header: request.header("X-Ferry-Signature") ?? "",
                    body: request.body,
                    timestamp: timestamp
                )
            )
        }
    }

    @Test func theRunLoopDeliversEverythingOnceAfterTheReceiverComesBack() async throws {
        let first = try await TestHTTPReceiver.start()
        let port = first.port
        try await first.stop()
        let store = InMemoryOutboxStore()
        for index in 1...3 { await store.enqueue(event: "e", body: [UInt8(index)], now: Date()) }
        // While the port is closed, each attempt fails within the timeout; the timeout is long enough that a slow
        // machine does not time out a delivery the receiver did get (it would be sent again: at least once).
        let sender = WebhookSender(endpoint: WebhookEndpoint(url: "http://127.0.0.1:\(port)/", timeout: 2))
        let delivery = OutboxDelivery(
            store: store,
            transport: sender,
            backoff: RetryBackoff(initial: 0.002, maximum: 0.02)
        )
        let task = Task { await delivery.run() }
        try await waitUntil { await store.allMessages().first.map { $0.attempts >= 2 } ?? false }
        let receiver = try await TestHTTPReceiver.start(port: port)
        defer { Task { try? await receiver.stop() } }
        try await waitUntil { await store.pendingCount() == 0 }
        task.cancel()
        await task.value
        #expect(receiver.requests.map { $0.header("X-Ferry-Delivery") } == ["1", "2", "3"])
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts outbox messages to a webhook endpoint.
///
/// Each message is one `POST` with the body as `application/json` and the headers `User-Agent: ferry`,
/// `X-Ferry-Event` (the event name), `X-Ferry-Delivery` (the message id, the same on every retry),
/// `X-Ferry-Timestamp` (Unix seconds) and, when the endpoint has a secret, `X-Ferry-Signature` (see
/// ``WebhookSignature``). A 2xx answer means delivered; any other status or a transport failure throws a
/// ``WebhookDeliveryError``.
public struct WebhookSender: OutboxTransport {
    /// The header carrying the event name.
    public static let eventHeader = "X-Ferry-Event"
    /// The header carrying the message id.
    public static let deliveryHeader = "X-Ferry-Delivery"

    /// Where the messages go.
    public let endpoint: WebhookEndpoint
    private let client: HTTPClient
    private let now: @Sendable () -> Date
    private let signature: WebhookSignature?

    /// Creates a sender.
    ///
    /// - Parameters:
    ///   - endpoint: The receiver.
    ///   - client: The HTTP client (the shared one by default).
    ///   - now: The clock for `X-Ferry-Timestamp`.
    public init(
        endpoint: WebhookEndpoint,
        client: HTTPClient = .shared,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.endpoint = endpoint
        self.client = client
        self.now = now
        self.signature = endpoint.secret.map { WebhookSignature(secret: $0) }
    }

    /// The headers of the request carrying `message` sent at `timestamp`.
    ///
    /// - Parameters:
    ///   - message: The message.
    ///   - timestamp: Unix seconds.
    /// - Returns: Name and value pairs, in order.
    public func headers(for message: OutboxMessage, timestamp: Int64) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", "ferry"),
            (Self.eventHeader, message.event),
            (Self.deliveryHeader, String(message.id)),
            (WebhookSignature.timestampHeader, String(timestamp)),
        ]
        if let signature = self.signature {
            headers.append((WebhookSignature.signatureHeader, signature.sign(body: message.body, timestamp: timestamp)))
        }
        let own = Set(headers.map { $0.name.lowercased() })
        for header in self.endpoint.headers where !own.contains(header.name.lowercased()) {
            headers.append(header)
        }
        return headers
    }

    /// Posts `message`.
    ///
    /// - Parameter message: The message.
    /// - Throws: ``WebhookDeliveryError`` unless the receiver answered 2xx.
    public func send(_ message: OutboxMessage) async throws {
        var request = HTTPClientRequest(url: self.endpoint.url)
        request.method = .POST
        let timestamp = Int64(self.now().timeIntervalSince1970.rounded(.down))
        for header in self.headers(for: message, timestamp: timestamp) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: message.body))
        let timeout = TimeAmount.milliseconds(Int64(max(0.001, self.endpoint.timeout) * 1000))
        let response: HTTPClientResponse
        do {
            response = try await self.client.execute(request, timeout: timeout)
        } catch {
            var reason = String(describing: error)
            if let secret = self.endpoint.secret, !secret.isEmpty {
                reason = reason.replacingOccurrences(of: String(decoding: secret, as: UTF8.self), with: "***")
            }
            throw WebhookDeliveryError.transport(url: self.endpoint.redactedURL, reason: reason)
        }
        var excerpt: [UInt8] = []
        do {
            for try await chunk in response.body {
                if excerpt.count < WebhookDeliveryError.excerptLength {
                    excerpt += chunk.readableBytesView.prefix(WebhookDeliveryError.excerptLength - excerpt.count)
                }
            }
        } catch {
            if (200..<300).contains(response.status.code) { return }
            throw WebhookDeliveryError.status(
                code: Int(response.status.code),
                body: String(decoding: excerpt, as: UTF8.self)
            )
        }
        guard (200..<300).contains(response.status.code) else {
            throw WebhookDeliveryError.status(
                code: Int(response.status.code),
                body: String(decoding: excerpt, as: UTF8.self)
            )
        }
    }
}

/// Why a webhook was not delivered.
public enum WebhookDeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The receiver answered with a status other than 2xx; `body` is the start of its answer.
    case status(code: Int, body: String)
    /// The request did not complete (connection refused, timeout, TLS failure…).
    case transport(url: String, reason: String)

    /// How much of a refusing receiver's body an error keeps, in bytes.
    public static let excerptLength = 200

    /// What happened, in one line.
    public var description: String {
        switch self {
        case .status(let code, let body):
            let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? "the receiver answered HTTP \(code)" : "the receiver answered HTTP \(code): \(text)"
        case .transport(let url, let reason):
            return "cannot deliver to \(url): \(reason)"
        }
    }
}

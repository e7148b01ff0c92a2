/// Carries one outbox message to its receiver. Returning means delivered; throwing means try again later.
public protocol OutboxTransport: Sendable {
    /// Delivers `message`, or throws an error whose description says why not.
    ///
    /// - Parameter message: The message, with its id, event name and body.
    func send(_ message: OutboxMessage) async throws
}

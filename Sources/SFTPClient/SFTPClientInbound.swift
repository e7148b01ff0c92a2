import NIOCore
import Synchronization

/// The server's bytes on their way to an ``SFTPClient``: the transport pushes them in from its own thread (an SSH
/// connection's event loop, or a task reading a stream) and the client handles them on that same thread, as
/// they come, without a hop to another task.
///
/// Bytes pushed before the client attaches are kept and handed over first. Deliveries never overlap and keep
/// their order, whichever thread pushes.
public final class SFTPClientInbound: Sendable {
    /// Receives the bytes; then, once, the end of the stream (nil) or why it failed.
    struct Receiver: Sendable {
        var bytes: @Sendable (ByteBuffer) -> Void
        var end: @Sendable ((any Error)?) -> Void
    }

    private enum Item {
        case bytes(ByteBuffer)
        case end((any Error)?)
    }

    private struct State {
        var receiver: Receiver?
        var pending: CircularBuffer<Item> = []
        /// A thread is handing items over; others only queue theirs.
        var delivering = false
        var ended = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Hands the server's next bytes on.
    public func push(_ bytes: ByteBuffer) {
        self.enqueue(.bytes(bytes))
    }

    /// Ends the stream: `error` is nil when the server closed it, else why the connection failed. Later
    /// pushes are ignored.
    public func finish(_ error: (any Error)? = nil) {
        self.enqueue(.end(error))
    }

    /// Starts delivering to `receiver`, beginning with whatever was pushed already. Called once.
    func attach(_ receiver: Receiver) {
        let start: Bool = self.state.withLock { state in
            precondition(state.receiver == nil, "an SFTP client inbound stream is attached once")
            state.receiver = receiver
            guard !state.delivering, !state.pending.isEmpty else { return false }
            state.delivering = true
            return true
        }
        if start { self.drain(receiver) }
    }

    private func enqueue(_ item: Item) {
        // The common case, on the transport's thread with nobody else delivering: hand over directly.
        let direct: Receiver? = self.state.withLock { state in
            if state.ended { return nil }
            if case .end = item { state.ended = true }
            guard let receiver = state.receiver, !state.delivering, state.pending.isEmpty else {
                state.pending.append(item)
                return nil
            }
            state.delivering = true
            return receiver
        }
        guard let direct else { return }
        Self.deliver(item, to: direct)
        self.drain(direct)
    }

    /// Delivers queued items until none is left, then lets the next pusher deliver directly.
    private func drain(_ receiver: Receiver) {
        while true {
            let next: Item? = self.state.withLock { state in
                guard let item = state.pending.popFirst() else {
                    state.delivering = false
                    return nil
                }
                return item
            }
            guard let next else { return }
            Self.deliver(next, to: receiver)
        }
    }

    private static func deliver(_ item: Item, to receiver: Receiver) {
        switch item {
        case .bytes(let bytes): receiver.bytes(bytes)
        case .end(let error): receiver.end(error)
        }
    }
}

import Synchronization

/// A sink that keeps every event in memory, for tests and demonstrations.
public final class VFSRecordingEventSink: VFSEventSink {
    private let recorded = Mutex<[(user: String, event: VFSEvent)]>([])

    /// Creates an empty sink.
    public init() {}

    /// Records the event.
    ///
    /// - Parameters:
    ///   - event: What happened.
    ///   - user: The session's user.
    public func receive(_ event: VFSEvent, user: String) async {
        self.recorded.withLock { $0.append((user, event)) }
    }

    /// The events received so far, in order.
    public var events: [VFSEvent] {
        self.recorded.withLock { $0.map(\.event) }
    }
}

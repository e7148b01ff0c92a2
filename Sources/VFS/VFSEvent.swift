import FerryCore

/// Something a session did that the outside world may want to know: a finished transfer, a removal, a rename.
public enum VFSEvent: Sendable, Hashable {
    /// An upload was published under its name.
    case uploadCompleted(path: FerryPath, bytes: UInt64, duration: Duration)
    /// An upload failed on write or on close; nothing was published.
    case uploadFailed(path: FerryPath, bytes: UInt64, error: VFSError)
    /// An upload was still open when the session ended and was discarded.
    case uploadAborted(path: FerryPath, bytes: UInt64)
    /// A file opened for reading was closed.
    case downloadCompleted(path: FerryPath, bytes: UInt64, duration: Duration)
    /// A file or symbolic link was removed.
    case removed(path: FerryPath)
    /// An entry was renamed.
    case renamed(from: FerryPath, to: FerryPath)
    /// A directory was created.
    case directoryCreated(path: FerryPath)
    /// A directory was removed.
    case directoryRemoved(path: FerryPath)
}

/// Receives the events of sessions, for transfer logs, webhooks and relays.
public protocol VFSEventSink: Sendable {
    /// Takes one event. Sessions wait for it, so a slow sink slows the session; sinks that deliver remotely
    /// queue and return.
    ///
    /// - Parameters:
    ///   - event: What happened.
    ///   - user: The session's user.
    func receive(_ event: VFSEvent, user: String) async
}

/// A sink that drops every event.
public struct VFSDiscardingEventSink: VFSEventSink {
    /// Creates the sink.
    public init() {}

    /// Drops the event.
    ///
    /// - Parameters:
    ///   - event: Ignored.
    ///   - user: Ignored.
    public func receive(_ event: VFSEvent, user: String) async {}
}

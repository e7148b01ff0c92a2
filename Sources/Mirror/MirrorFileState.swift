/// Where a remote file stands in a mirror's ledger.
///
/// A file moves `pending` → `downloading` → `done`; a failed attempt goes back to `pending` with a later retry
/// time, and after the configured number of attempts to `dead` (the dead-letter state), where it stays until
/// an operator retries it. `done` is final: a file whose name, size and modification time match a `done` entry
/// is never fetched again.
public enum MirrorFileState: String, Sendable, Codable, CaseIterable {
    /// Seen on the server; waiting to be stable (or for its retry time).
    case pending
    /// Being downloaded (a crash leaves this state; the next run starts the file over).
    case downloading
    /// Downloaded, renamed into place and, when asked, removed or moved on the server.
    case done
    /// Failed too many times; left alone until retried by hand.
    case dead
}

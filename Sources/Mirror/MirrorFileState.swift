/// Where a remote file stands in a mirror's ledger.
///
/// A file moves `pending` → `downloading` → `done`; a failed attempt goes back to `pending` with a later retry
/// time, and after the configured number of attempts to `dead` (the dead-letter state), where it stays until
/// an operator retries it. `done` is final: a file whose name, size and modification time match a `done` entry
/// is never fetched again (a changed size or modification time is a new version, see ``MirrorLedger``).
public enum MirrorFileState: String, Sendable, Codable, CaseIterable {
    /// Seen on the server; waiting to be stable (or for its retry time).
    case pending
    /// Being downloaded. A crash or a lost connection leaves this state; the next pass resumes from the partial
    /// file when the remote size and modification time are unchanged, and starts over otherwise.
    case downloading
    /// Downloaded, renamed into place and, when asked, removed or moved on the server.
    case done
    /// Failed too many times; left alone until retried by hand or until the remote file changes.
    case dead
}

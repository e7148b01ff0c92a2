/// What a move or copy does when an entry already exists at the destination.
public enum DestinationConflictPolicy: Sendable, Hashable {
    /// Fail with `alreadyExists` and leave both entries as they are; the check and the
    /// operation are one atomic step where the backend allows it.
    case fail
    /// Replace the destination atomically, as POSIX `rename` does.
    case replace
}

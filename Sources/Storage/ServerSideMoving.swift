import FerryCore

/// A backend that renames entries in one step, directories included.
public protocol ServerSideMoving: Storage {
    /// Moves an entry (a file, a symbolic link itself, or a directory with everything in it).
    ///
    /// POSIX `rename` rules apply: a directory can replace only an empty directory, a non-directory only a
    /// non-directory; moving a directory into itself fails; moving an entry onto itself does nothing with
    /// ``DestinationConflictPolicy/replace`` and fails with ``DestinationConflictPolicy/fail``.
    ///
    /// - Parameters:
    ///   - source: The entry to move.
    ///   - destination: Its new path.
    ///   - ifExists: Whether an existing destination is replaced or makes the move fail.
    /// - Throws: ``FerryError`` (`notFound`, `alreadyExists`, `isADirectory`, `notADirectory`,
    ///   `directoryNotEmpty`, `invalidArgument`…).
    func move(_ source: FerryPath, to destination: FerryPath, ifExists: DestinationConflictPolicy) async throws
}

import FerryCore

/// A backend that copies a file without the bytes travelling through Ferry.
public protocol ServerSideCopying: Storage {
    /// Copies a file's contents to a new path, atomically as ``Storage/write(_:from:)`` does.
    ///
    /// A final symbolic link at `source` is followed inside the root.
    ///
    /// - Parameters:
    ///   - source: The file to copy.
    ///   - destination: Where the copy goes.
    ///   - ifExists: Whether an existing destination is replaced or makes the copy fail.
    /// - Throws: ``FerryError`` (`notFound`, `isADirectory` when either side is a directory, `alreadyExists`…).
    func copy(_ source: FerryPath, to destination: FerryPath, ifExists: DestinationConflictPolicy) async throws
}

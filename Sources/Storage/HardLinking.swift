import FerryCore

/// A backend that can give a file a second name.
public protocol HardLinking: Storage {
    /// Creates a hard link: a new name for an existing file (a symbolic link is linked itself, not followed).
    ///
    /// - Parameters:
    ///   - path: The new name.
    ///   - existing: The file it names.
    /// - Throws: ``FerryError`` (`alreadyExists`, `notFound`, `permissionDenied` for a directory…).
    func createHardLink(at path: FerryPath, to existing: FerryPath) async throws
}

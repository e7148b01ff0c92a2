import FerryCore

/// A backend that stores symbolic links.
///
/// A link's target is stored as given and may point anywhere, but the backend follows it only while the
/// resolution stays inside the root: an absolute target or one that climbs above the root is refused when
/// followed (`permissionDenied`).
public protocol Symlinking: Storage {
    /// Creates a symbolic link.
    ///
    /// - Parameters:
    ///   - path: Where the link goes.
    ///   - target: What it points to: not empty, no NUL, at most 4095 bytes.
    /// - Throws: ``FerryError`` (`alreadyExists`, `notFound` for a missing parent, `invalidArgument` for a bad
    ///   target…).
    func createSymlink(at path: FerryPath, target: String) async throws

    /// Returns the target of a symbolic link as stored.
    ///
    /// - Parameter path: The link.
    /// - Returns: Its target.
    /// - Throws: ``FerryError`` (`notFound`, `invalidArgument` if the entry is not a link…).
    func readSymlink(_ path: FerryPath) async throws -> String

    /// Returns the attributes of the entry at `path`, following symbolic links inside the root (`stat`).
    ///
    /// - Parameter path: The entry.
    /// - Returns: The attributes of what the path finally names.
    /// - Throws: ``FerryError`` (`notFound` for a dangling link, `permissionDenied` for a link that leaves the
    ///   root…).
    func attributesFollowingSymlinks(of path: FerryPath) async throws -> FileAttributes
}

import FerryCore
import Storage

/// A subtree of a storage backend: the backend and the path inside it that appears as the mount point.
public struct VFSMount: Sendable {
    /// The backend.
    public var storage: any Storage
    /// The path inside `storage` shown at the mount point.
    public var prefix: FerryPath

    /// Creates a mount.
    ///
    /// - Parameters:
    ///   - storage: The backend.
    ///   - prefix: The path inside it shown at the mount point; `/` for the whole backend.
    public init(storage: any Storage, prefix: FerryPath = .root) {
        self.storage = storage
        self.prefix = prefix
    }
}

/// A user-visible path resolved to the storage behind it.
public struct VFSResolvedPath: Sendable {
    /// The user-visible path of the mount that holds the path (`/` for the user's root).
    public var mountPoint: FerryPath
    /// The backend.
    public var storage: any Storage
    /// The path inside the backend.
    public var storagePath: FerryPath
}

import FerryCore
import Storage

/// Where a user's files live: the user's root and any virtual folders, each a subtree of some backend.
///
/// A virtual folder hides whatever the root's backend has under the same name; the directories above a
/// virtual folder appear in listings even when no backend has them.
public struct VFSMountTable: Sendable {
    /// What `/` shows.
    public var root: VFSMount
    /// The virtual folders by their user-visible path (never `/`).
    public private(set) var virtualFolders: [FerryPath: VFSMount]

    /// Creates a mount table.
    ///
    /// - Parameters:
    ///   - root: What `/` shows.
    ///   - virtualFolders: Further mounts by user-visible path.
    /// - Throws: ``VFSError`` with code ``VFSError/Code/invalidArgument`` if a virtual folder is at `/`.
    public init(root: VFSMount, virtualFolders: [FerryPath: VFSMount] = [:]) throws {
        if virtualFolders[.root] != nil {
            throw VFSError(.invalidArgument, "a virtual folder cannot be mounted at /")
        }
        self.root = root
        self.virtualFolders = virtualFolders
    }

    /// Resolves a user-visible path through the mount with the longest matching mount point.
    ///
    /// - Parameter path: A normalised user path.
    /// - Returns: The backend and the path inside it.
    public func resolve(_ path: FerryPath) -> VFSResolvedPath {
        var current: FerryPath? = path
        while let candidate = current, !candidate.isRoot {
            if let mount = self.virtualFolders[candidate] {
                return Self.resolved(path, mountPoint: candidate, mount: mount)
            }
            current = candidate.parent
        }
        return Self.resolved(path, mountPoint: .root, mount: self.root)
    }

    private static func resolved(_ path: FerryPath, mountPoint: FerryPath, mount: VFSMount) -> VFSResolvedPath {
        let relative = path.removingPrefix(mountPoint) ?? .root
        return VFSResolvedPath(
            mountPoint: mountPoint,
            storage: mount.storage,
            storagePath: mount.prefix.appending(relative)
        )
    }

    /// The names that mounts add to a directory: virtual folders directly inside it, and directories on the
    /// way to deeper ones.
    ///
    /// - Parameter directory: A user-visible directory.
    /// - Returns: The names, sorted byte-wise.
    public func virtualEntries(in directory: FerryPath) -> [String] {
        var names = Set<String>()
        for mountPoint in self.virtualFolders.keys where mountPoint.isDescendant(of: directory) {
            names.insert(mountPoint.components[directory.depth])
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Whether a path is a mount point or lies above one, so that removing or renaming it would tear the
    /// mount table.
    ///
    /// - Parameter path: A user-visible path.
    /// - Returns: `true` for `/`, every virtual folder and every directory above one.
    public func holdsMountPoint(_ path: FerryPath) -> Bool {
        path.isRoot || self.virtualFolders.keys.contains { $0 == path || $0.isDescendant(of: path) }
    }
}

/// One thing a user may be allowed to do below a path.
public enum VFSPermission: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// See directory listings and entries' attributes.
    case list
    /// Read files.
    case download
    /// Create new files.
    case upload
    /// Replace or change existing files.
    case overwrite
    /// Remove files and symbolic links.
    case delete
    /// Rename or move entries (checked at the source and at the destination).
    case rename
    /// Create directories.
    case createDirectories
    /// Remove directories.
    case removeDirectories
    /// Change permissions, owners, times and sizes.
    case setAttributes
    /// Create symbolic links.
    case symlink

    public var description: String { self.rawValue }
}

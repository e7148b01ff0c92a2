/// What an entry in a tree is.
public enum FileKind: Sendable, Hashable, CustomStringConvertible {
    /// A regular file.
    case file
    /// A directory.
    case directory
    /// A symbolic link (never followed when its attributes are reported).
    case symlink
    /// Anything else: a device, FIFO or socket.
    case other

    public var description: String {
        switch self {
        case .file: "file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .other: "other"
        }
    }
}

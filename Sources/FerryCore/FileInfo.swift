/// One entry of a directory listing: its name within the directory and its attributes.
public struct FileInfo: Sendable, Hashable {
    /// The entry's name (a single path component).
    public var name: String
    /// The entry's attributes, not following a symbolic link.
    public var attributes: FileAttributes

    /// Creates a listing entry.
    ///
    /// - Parameters:
    ///   - name: The entry's name within its directory.
    ///   - attributes: Its attributes.
    public init(name: String, attributes: FileAttributes) {
        self.name = name
        self.attributes = attributes
    }

    /// Shorthand for `attributes.kind`.
    public var kind: FileKind { self.attributes.kind }
}

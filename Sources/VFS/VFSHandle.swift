/// An open file of a ``VFSSession``; frontends turn it into their own handle strings.
public struct VFSHandle: Sendable, Hashable, CustomStringConvertible {
    /// A number unique within the session, never reused.
    public let id: UInt64

    /// Creates a handle from its number.
    ///
    /// - Parameter id: The number a session gave out.
    public init(id: UInt64) {
        self.id = id
    }

    public var description: String { "handle \(self.id)" }
}

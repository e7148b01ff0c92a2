/// A normalised absolute path inside one user's tree, where `/` is that user's root.
///
/// A `FerryPath` holds names only: no empty names, no `.` or `..`, no `/` or NUL inside a name, every name
/// valid UTF-8. Build one from client input with ``init(parsing:relativeTo:limits:)`` (or the byte form),
/// which resolves `.`, `..` and repeated slashes and never climbs above `/`; build one from trusted parts with
/// ``appending(_:limits:)``.
///
/// Two paths are equal when their names are equal byte for byte. Unlike `String`, that comparison does not
/// treat canonically equivalent Unicode (`é` and `e` + U+0301) as equal, because file systems and object
/// stores store the bytes.
public struct FerryPath: Sendable, Hashable, CustomStringConvertible {
    /// The names from the root down; empty for the root.
    public private(set) var components: [String]

    /// The root of the tree, `/`.
    public static let root = FerryPath(validatedComponents: [])

    /// Creates a path from components that have already been validated.
    init(validatedComponents: [String]) {
        self.components = validatedComponents
    }

    /// Whether this is the root, `/`.
    public var isRoot: Bool { self.components.isEmpty }

    /// The last name of the path, or `nil` for the root.
    public var name: String? { self.components.last }

    /// The directory that contains this path, or `nil` for the root.
    public var parent: FerryPath? {
        if self.isRoot { return nil }
        return FerryPath(validatedComponents: Array(self.components.dropLast()))
    }

    /// The number of names below the root.
    public var depth: Int { self.components.count }

    /// The path as text: `/` for the root, otherwise `/` followed by the names joined with `/`.
    public var string: String {
        "/" + self.components.joined(separator: "/")
    }

    public var description: String { self.string }

    /// Returns this path with one more name.
    ///
    /// - Parameters:
    ///   - name: A single name: not empty, not `.` or `..`, without `/` or NUL.
    ///   - limits: The limits the resulting path must respect.
    /// - Returns: The child path.
    /// - Throws: ``FerryError`` with code ``FerryError/Code/invalidPath`` if the name or the result is not allowed.
    public func appending(_ name: String, limits: Limits = .default) throws -> FerryPath {
        try Self.validate(name: name, limits: limits)
        var result = self
        result.components.append(name)
        try result.check(limits)
        return result
    }

    /// Returns this path followed by the names of another path, as if `other` were relative to this one.
    ///
    /// - Parameter other: The path to append; its names are already valid.
    /// - Returns: The joined path. It is not checked against any ``Limits``.
    public func appending(_ other: FerryPath) -> FerryPath {
        FerryPath(validatedComponents: self.components + other.components)
    }

    /// Whether this path lies strictly below `ancestor` (a path is not its own descendant).
    ///
    /// - Parameter ancestor: The candidate ancestor.
    /// - Returns: `true` if `ancestor`'s names are a proper prefix of this path's names.
    public func isDescendant(of ancestor: FerryPath) -> Bool {
        guard self.components.count > ancestor.components.count else { return false }
        return zip(ancestor.components, self.components).allSatisfy { Self.sameBytes($0, $1) }
    }

    /// Returns the part of this path below `ancestor`, as a path relative to it.
    ///
    /// - Parameter ancestor: A path equal to this one or above it.
    /// - Returns: The remaining names (the root if the paths are equal), or `nil` if `ancestor` is not this
    ///   path or one of its ancestors.
    public func removingPrefix(_ ancestor: FerryPath) -> FerryPath? {
        guard self == ancestor || self.isDescendant(of: ancestor) else { return nil }
        return FerryPath(validatedComponents: Array(self.components.dropFirst(ancestor.components.count)))
    }

    public static func == (lhs: FerryPath, rhs: FerryPath) -> Bool {
        lhs.components.count == rhs.components.count
            && zip(lhs.components, rhs.components).allSatisfy { sameBytes($0, $1) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.components.count)
        for component in self.components {
            hasher.combine(component.utf8.count)
            for byte in component.utf8 {
                hasher.combine(byte)
            }
        }
    }

    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8)
    }
}

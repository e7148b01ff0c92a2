/// A validated account name: 1–64 characters of `[A-Za-z0-9._-]`, not starting with `-` or `.`.
///
/// Names are compared exactly (case-sensitively), as on POSIX systems.
public struct UserName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The longest accepted name, in characters.
    public static let maximumLength = 64

    /// The name.
    public let string: String

    /// Validates a name.
    ///
    /// - Parameter string: The candidate name.
    /// - Throws: ``AccountsError/Code/invalidUserName`` when the name breaks the rules; the message says which.
    public init(_ string: String) throws(AccountsError) {
        if let problem = Self.problem(with: string) {
            throw AccountsError(.invalidUserName, problem)
        }
        self.string = string
    }

    /// Whether `string` is an acceptable user name.
    ///
    /// - Parameter string: The candidate name.
    /// - Returns: `true` when ``init(_:)`` would accept it.
    public static func isValid(_ string: String) -> Bool {
        Self.problem(with: string) == nil
    }

    /// The name.
    public var description: String { self.string }

    /// Orders names by their UTF-8 bytes, as `sort` does in the C locale.
    public static func < (lhs: UserName, rhs: UserName) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    private static func problem(with string: String) -> String? {
        let bytes = Array(string.utf8)
        if bytes.isEmpty {
            return "a user name must not be empty"
        }
        if bytes.count > Self.maximumLength {
            return "a user name must be at most \(Self.maximumLength) characters long"
        }
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: ".") {
            return "a user name must not start with '-' or '.'"
        }
        if !bytes.allSatisfy(Self.isAllowed) {
            return "a user name may only contain letters, digits, '.', '_' and '-'"
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

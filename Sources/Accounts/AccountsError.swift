/// The error type of the accounts layer: a public, stable ``Code`` and a diagnostic message.
///
/// Messages never contain passwords or password hashes; they are for logs, never for matching.
public struct AccountsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name.
        public var description: String { self.name }

        /// A user name is empty, too long or contains characters outside `[A-Za-z0-9._-]`.
        public static let invalidUserName = Code("invalidUserName")
        /// A user with this name already exists.
        public static let userExists = Code("userExists")
        /// No user with this name exists.
        public static let userNotFound = Code("userNotFound")
        /// A password could not be hashed (it contains NUL, is too long, or the system library failed).
        public static let hashingFailed = Code("hashingFailed")
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable diagnostic.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code callers match on.
    ///   - message: A diagnostic for logs; never a secret.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code and the message.
    public var description: String { "\(self.code): \(self.message)" }
}

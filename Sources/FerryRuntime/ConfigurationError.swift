/// Where a configuration value came from.
public enum ConfigurationSource: Hashable, Sendable, CustomStringConvertible {
    /// The built-in default.
    case defaults
    /// A YAML configuration file, by its path as given.
    case file(String)
    /// An environment variable, by its name.
    case environment(String)
    /// An explicit override from the command line.
    case commandLine

    /// `FILE`, `VARIABLE`, `the command line` or `the defaults`.
    public var description: String {
        switch self {
        case .defaults: "the defaults"
        case .file(let path): path
        case .environment(let name): name
        case .commandLine: "the command line"
        }
    }
}

/// A configuration that cannot be used: a bad value, an unknown key or algorithm, an unreadable file.
///
/// Messages name the key, the value and where it came from, e.g.
/// `limits.idle_timeout: "abc" is not a duration (from FERRY_LIMITS_IDLE_TIMEOUT)`; nothing else from the
/// configuration is ever quoted.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The code's name.
        public var description: String { self.name }

        /// A value is malformed or out of range.
        public static let invalidValue = Code("invalidValue")
        /// An algorithm name is not one the SSH implementation supports.
        public static let unknownAlgorithm = Code("unknownAlgorithm")
        /// An override names a key that does not exist.
        public static let unknownKey = Code("unknownKey")
        /// The configuration file is missing, unreadable or not a YAML mapping.
        public static let unreadableFile = Code("unreadableFile")
    }

    /// The stable error code.
    public var code: Code
    /// The dotted key concerned, e.g. `limits.idle_timeout`, when the error is about one key.
    public var key: String?
    /// Where the offending value came from, when the error is about one value.
    public var source: ConfigurationSource?
    /// A human-readable diagnostic naming the key, the value and its source.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code callers match on.
    ///   - key: The dotted key concerned, if any.
    ///   - source: Where the value came from, if any.
    ///   - message: The diagnostic.
    public init(_ code: Code, key: String? = nil, source: ConfigurationSource? = nil, _ message: String) {
        self.code = code
        self.key = key
        self.source = source
        self.message = message
    }

    /// The message.
    public var description: String { self.message }
}

extension ConfigurationError {
    /// `KEY: "VALUE" PROBLEM (from SOURCE)`, with the value quoted and escaped and long values shortened.
    static func invalid(
        _ key: String,
        _ value: String,
        _ problem: String,
        from source: ConfigurationSource,
        code: Code = .invalidValue
    ) -> ConfigurationError {
        ConfigurationError(code, key: key, source: source, "\(key): \(quoted(value)) \(problem) (from \(source))")
    }

    /// A value quoted as a Swift string literal (control characters escaped), at most 80 characters of it.
    static func quoted(_ value: String) -> String {
        let shown = value.count > 80 ? String(value.prefix(80)) + "…" : value
        return String(reflecting: shown)
    }
}

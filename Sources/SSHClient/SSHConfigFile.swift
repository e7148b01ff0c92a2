import NIOCore
import SSHKeys

/// A problem in an ssh_config file: where it is and what is wrong.
public struct SSHConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The 1-based line number (0 when the whole file is concerned).
    public var line: Int
    /// The keyword on that line, as written, if any.
    public var keyword: String?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(path: String, line: Int, keyword: String?, message: String) {
        self.path = path
        self.line = line
        self.keyword = keyword
        self.message = message
    }

    public var description: String {
        let place = self.line > 0 ? "\(self.path) line \(self.line)" : self.path
        if let keyword { return "\(place): \(keyword): \(self.message)" }
        return "\(place): \(self.message)"
    }
}

/// What an ssh_config file says about one host, for the keywords Ferry honours.
///
/// `nil` (or empty) means the file says nothing; defaults are applied by ``SSHClientProfile``.
public struct SSHHostSettings: Sendable, Equatable {
    /// `HostName`, with `%h` expanded to the alias.
    public var hostName: String?
    /// `User`.
    public var user: String?
    /// `Port`.
    public var port: Int?
    /// Every `IdentityFile` that applies, in order, with `~` and `%` tokens expanded.
    public var identityFiles: [String] = []
    /// `IdentitiesOnly`.
    public var identitiesOnly: Bool?
    /// The first `UserKnownHostsFile` that applies (it may list several files), expanded.
    public var userKnownHostsFiles: [String]?
    /// `StrictHostKeyChecking` ("ask" counts as "yes": Ferry never prompts).
    public var strictHostKeyChecking: SSHKnownHostsValidator.Policy?
    /// `ConnectTimeout`.
    public var connectTimeout: TimeAmount?

    /// Settings saying nothing.
    public init() {}
}

/// An OpenSSH client configuration file (`~/.ssh/config`, ssh_config(5)).
///
/// Parsed as ssh does: keywords are case-insensitive; `Keyword value`, `Keyword=value` and
/// `Keyword = value` are all accepted; arguments may be quoted with `"` or `'`; `#` starts a comment at the
/// start of a line or of an argument. `Host` lines with `*`, `?` and `!negated` patterns start a block that
/// applies when the alias matches one pattern and no negated one. For each keyword the first value that
/// applies wins, except `IdentityFile`, which accumulates. `Include` files (globs allowed; relative paths
/// are resolved against the directory of the file being read, which is `~/.ssh` for the user's file)
/// are read in place and obey the enclosing `Host` block.
///
/// Honoured keywords: HostName, User, Port, IdentityFile, IdentitiesOnly, UserKnownHostsFile,
/// StrictHostKeyChecking and ConnectTimeout. Other keywords are ignored. `Match` blocks are not
/// evaluated: everything from a `Match` line to the next `Host` or `Match` line is skipped, without an error.
///
/// Values are checked when the file is parsed (also in blocks that do not apply, as ssh does); a malformed
/// one is an ``SSHConfigError`` naming the file, line and keyword.
public struct SSHConfigFile: Sendable {
    /// When a directive applies.
    enum Condition: Sendable, Equatable {
        /// A `Host` line's patterns.
        case host([String])
        /// Inside a `Match` block: never.
        case never
    }

    /// One honoured keyword line, already checked.
    struct Directive: Sendable {
        /// Lowercased.
        var keyword: String
        var arguments: [String]
        /// Every condition must hold (an `Include` inside a `Host` block nests).
        var conditions: [Condition]
    }

    /// The file given to the initializer.
    public let path: String
    var directives: [Directive] = []

    /// Include nesting ssh accepts.
    static let maximumIncludeDepth = 16

    /// The keywords whose values are kept.
    static let honoured: Set<String> = [
        "hostname", "user", "port", "identityfile", "identitiesonly", "userknownhostsfile",
        "stricthostkeychecking", "connecttimeout",
    ]

    /// Parses a configuration file's text.
    ///
    /// - Parameters:
    ///   - path: where the text came from, for error messages and to resolve relative `Include` paths.
    ///   - homeDirectory: what `~` means in `Include` paths (default: `HOME`).
    /// - Throws: ``SSHConfigError`` for a malformed line or value, or an unreadable included file.
    public init(contents: String, path: String, homeDirectory: String? = nil) throws {
        self.path = path
        let home = homeDirectory ?? SSHClientFiles.environment(["HOME"])["HOME"] ?? "/"
        try Self.parse(
            contents,
            path: path,
            includeBase: SSHClientFiles.directory(of: path),
            home: home,
            outer: [],
            depth: 0,
            into: &self.directives
        )
    }

    /// Reads and parses a configuration file.
    ///
    /// - Returns: nil when the file does not exist.
    /// - Throws: ``SSHConfigError`` when it cannot be read or is malformed.
    public static func load(path: String, homeDirectory: String? = nil) throws -> SSHConfigFile? {
        let text: String?
        do {
            text = try SSHClientFiles.text(of: path)
        } catch {
            throw SSHConfigError(
                path: path,
                line: 0,
                keyword: nil,
                message: "cannot read: \(SSHClientFiles.describe(error.errno))"
            )
        }
        guard let text else { return nil }
        return try SSHConfigFile(contents: text, path: path, homeDirectory: homeDirectory)
    }

    // MARK: Parsing

    private static func parse(
        _ contents: String,
        path: String,
        includeBase: String,
        home: String,
        outer: [Condition],
        depth: Int,
        into directives: inout [Directive]
    ) throws {
        var block: Condition?
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            guard let (keyword, arguments) = try self.tokenize(line, path: path, line: number) else { continue }
            func fail(_ message: String) -> SSHConfigError {
                SSHConfigError(path: path, line: number, keyword: keyword, message: message)
            }
            let lowered = keyword.lowercased()
            switch lowered {
            case "host":
                guard !arguments.isEmpty else { throw fail("missing host pattern") }
                block = .host(arguments)
            case "match":
                block = .never
            case "include":
                guard !arguments.isEmpty else { throw fail("missing file name") }
                guard depth < self.maximumIncludeDepth else { throw fail("includes nested too deeply") }
                let conditions = outer + (block.map { [$0] } ?? [])
                for argument in arguments {
                    var pattern = self.expandTilde(argument, home: home)
                    if !pattern.hasPrefix("/") { pattern = includeBase + "/" + pattern }
                    for file in SSHClientFiles.expandGlob(pattern) {
                        let text: String?
                        do {
                            text = try SSHClientFiles.text(of: file)
                        } catch {
                            throw fail("cannot read \(file): \(SSHClientFiles.describe(error.errno))")
                        }
                        guard let text else { continue }
                        try self.parse(
                            text,
                            path: file,
                            includeBase: includeBase,
                            home: home,
                            outer: conditions,
                            depth: depth + 1,
                            into: &directives
                        )
                    }
                }
            default:
                try self.check(lowered, arguments, fail: fail)
                if self.honoured.contains(lowered) {
                    directives.append(
                        Directive(
                            keyword: lowered,
                            arguments: arguments,
                            conditions: outer + (block.map { [$0] } ?? [])
                        )
                    )
                }
            }
        }
    }

    /// Splits a line into its keyword and arguments; nil for blank and comment lines.
    static func tokenize(_ line: Substring, path: String, line number: Int) throws -> (String, [String])? {
        var rest = line.drop(while: { $0 == " " || $0 == "\t" })
        if rest.isEmpty || rest.hasPrefix("#") { return nil }
        let keyword = rest.prefix(while: { $0 != " " && $0 != "\t" && $0 != "=" })
        rest = rest.dropFirst(keyword.count).drop(while: { $0 == " " || $0 == "\t" })
        if rest.hasPrefix("=") { rest = rest.dropFirst() }
        guard !keyword.isEmpty else {
            throw SSHConfigError(path: path, line: number, keyword: nil, message: "missing keyword")
        }
        var arguments: [String] = []
        var current = ""
        var inToken = false
        var quote: Character?
        var iterator = rest.makeIterator()
        while let character = iterator.next() {
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\", let next = iterator.next() {
                    if next != open && next != "\\" { current.append("\\") }
                    current.append(next)
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t":
                if inToken { arguments.append(current) }
                current = ""
                inToken = false
            case "\"", "'":
                quote = character
                inToken = true
            case "#" where !inToken:
                return (String(keyword), arguments)
            case "\\":
                if let next = iterator.next() {
                    if !" \t\"'\\".contains(next) { current.append("\\") }
                    current.append(next)
                } else {
                    current.append("\\")
                }
                inToken = true
            default:
                current.append(character)
                inToken = true
            }
        }
        guard quote == nil else {
            throw SSHConfigError(path: path, line: number, keyword: String(keyword), message: "unterminated quote")
        }
        if inToken { arguments.append(current) }
        return (String(keyword), arguments)
    }

    /// Checks an honoured keyword's arguments as ssh would; other keywords pass.
    private static func check(
        _ keyword: String,
        _ arguments: [String],
        fail: (String) -> SSHConfigError
    ) throws {
        func single() throws -> String {
            guard let value = arguments.first, !value.isEmpty else { throw fail("missing value") }
            guard arguments.count == 1 else { throw fail("unexpected \"\(arguments[1])\" after the value") }
            return value
        }
        func tokens(_ value: String, allowed: Set<Character>) throws {
            var iterator = value.makeIterator()
            while let character = iterator.next() {
                guard character == "%" else { continue }
                guard let token = iterator.next() else { throw fail("\"%\" at the end of \"\(value)\"") }
                guard allowed.contains(token) else { throw fail("unknown token %\(token) in \"\(value)\"") }
            }
        }
        switch keyword {
        case "hostname":
            try tokens(try single(), allowed: ["%", "h"])
        case "user":
            _ = try single()
        case "port":
            let value = try single()
            guard let port = Int(value), (1...65535).contains(port) else { throw fail("bad port \"\(value)\"") }
        case "identityfile":
            try tokens(try single(), allowed: self.pathTokens)
        case "userknownhostsfile":
            guard !arguments.isEmpty else { throw fail("missing value") }
            for argument in arguments { try tokens(argument, allowed: self.pathTokens) }
        case "identitiesonly":
            let value = try single()
            guard self.parseYesNo(value) != nil else { throw fail("expected yes or no, not \"\(value)\"") }
        case "stricthostkeychecking":
            let value = try single()
            guard self.parsePolicy(value) != nil else {
                throw fail("expected yes, ask, accept-new, no or off, not \"\(value)\"")
            }
        case "connecttimeout":
            let value = try single()
            guard self.parseSeconds(value) != nil else { throw fail("bad time \"\(value)\"") }
        default:
            break
        }
    }

    /// The `%` tokens file paths may use: `%%`, home directory, host, alias, port, remote user, local user.
    static let pathTokens: Set<Character> = ["%", "d", "h", "n", "p", "r", "u"]

    static func parseYesNo(_ value: String) -> Bool? {
        switch value.lowercased() {
        case "yes", "true": return true
        case "no", "false": return false
        default: return nil
        }
    }

    static func parsePolicy(_ value: String) -> SSHKnownHostsValidator.Policy? {
        switch value.lowercased() {
        case "yes", "ask", "true": return .strict
        case "accept-new": return .acceptNew
        case "no", "off", "false": return .off
        default: return nil
        }
    }

    /// An sshd/ssh time value: a number of seconds, or numbers with s, m, h, d or w units ("1m30s").
    static func parseSeconds(_ value: String) -> Int? {
        guard !value.isEmpty else { return nil }
        var total = 0
        var digits = ""
        for character in value.lowercased() {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604800
            default: return nil
            }
            guard let number = Int(digits) else { return nil }
            total += number * unit
            digits = ""
        }
        if !digits.isEmpty {
            guard let number = Int(digits) else { return nil }
            total += number
        }
        return total
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    // MARK: Evaluation

    /// What the file says about `alias` (the host name as typed).
    ///
    /// - Parameters:
    ///   - localUser: the user running the client, for `%u` and as the default `%r`.
    ///   - homeDirectory: for `~` and `%d`.
    ///   - remoteUser: a user name given explicitly, which beats `User` (and so `%r`) as on ssh's command line.
    ///   - port: a port given explicitly, for `%p`.
    public func settings(
        for alias: String,
        localUser: String,
        homeDirectory: String,
        remoteUser: String? = nil,
        port: Int? = nil
    ) -> SSHHostSettings {
        var settings = SSHHostSettings()
        var identityFiles: [String] = []
        var knownHostsFiles: [String]?
        for directive in self.directives where directive.conditions.allSatisfy({ Self.holds($0, alias: alias) }) {
            let value = directive.arguments.first ?? ""
            switch directive.keyword {
            case "hostname":
                if settings.hostName == nil {
                    settings.hostName = Self.expandTokens(value, ["h": alias])
                }
            case "user":
                if settings.user == nil { settings.user = value }
            case "port":
                if settings.port == nil { settings.port = Int(value) }
            case "identityfile":
                identityFiles.append(value)
            case "identitiesonly":
                if settings.identitiesOnly == nil { settings.identitiesOnly = Self.parseYesNo(value) }
            case "userknownhostsfile":
                if knownHostsFiles == nil { knownHostsFiles = directive.arguments }
            case "stricthostkeychecking":
                if settings.strictHostKeyChecking == nil { settings.strictHostKeyChecking = Self.parsePolicy(value) }
            case "connecttimeout":
                if settings.connectTimeout == nil, let seconds = Self.parseSeconds(value) {
                    settings.connectTimeout = .seconds(Int64(seconds))
                }
            default:
                break
            }
        }
        let values: [Character: String] = [
            "d": homeDirectory,
            "h": settings.hostName ?? alias,
            "n": alias,
            "p": String(port ?? settings.port ?? 22),
            "r": remoteUser ?? settings.user ?? localUser,
            "u": localUser,
        ]
        func expand(_ path: String) -> String {
            Self.expandTokens(Self.expandTilde(path, home: homeDirectory), values)
        }
        for file in identityFiles.map(expand) where !settings.identityFiles.contains(file) {
            settings.identityFiles.append(file)
        }
        settings.userKnownHostsFiles = knownHostsFiles?.map(expand)
        return settings
    }

    /// Whether a condition holds for `alias`: some pattern matches and no negated one does.
    static func holds(_ condition: Condition, alias: String) -> Bool {
        switch condition {
        case .never:
            return false
        case .host(let patterns):
            let subject = alias.lowercased()
            var matched = false
            for pattern in patterns {
                let negated = pattern.hasPrefix("!")
                let body = (negated ? pattern.dropFirst() : pattern[...]).lowercased()
                guard SSHWildcard.matches(subject, pattern: body) else { continue }
                if negated { return false }
                matched = true
            }
            return matched
        }
    }

    /// Replaces `%x` tokens from `values` and `%%` with `%`; unknown tokens are left as written.
    static func expandTokens(_ text: String, _ values: [Character: String]) -> String {
        guard text.contains("%") else { return text }
        var result = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            guard let token = iterator.next() else {
                result.append("%")
                break
            }
            if token == "%" {
                result.append("%")
            } else if let value = values[token] {
                result.append(value)
            } else {
                result.append("%")
                result.append(token)
            }
        }
        return result
    }
}

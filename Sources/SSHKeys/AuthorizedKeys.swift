import Foundation
import SSHProtocol

/// One key line of an `authorized_keys` file (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"):
/// `[options] keytype base64-key [comment]`.
public struct AuthorizedKey: Hashable, Sendable {
    /// One option, such as `no-pty` or `command="…"`.
    public struct Option: Hashable, Sendable {
        /// The option name, lowercased.
        public var name: String
        /// The unquoted value, for options written `name="value"`.
        public var value: String?

        /// Creates an option.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The options in the order written.
    public var options: [Option]
    /// The key.
    public var key: SSHPublicKey
    /// The comment after the key, if any.
    public var comment: String?
    /// The 1-based line number in the file.
    public var line: Int

    /// Creates an entry.
    public init(options: [Option] = [], key: SSHPublicKey, comment: String? = nil, line: Int = 0) {
        self.options = options
        self.key = key
        self.comment = comment
        self.line = line
    }

    /// The values of every option called `name` (lowercase), in order.
    public func values(of name: String) -> [String] {
        self.options.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Whether an option called `name` (lowercase) is present.
    public func has(_ name: String) -> Bool {
        self.options.contains { $0.name == name }
    }

    /// Whether the `restrict` option is present: every feature is off unless an option turns it back on.
    public var isRestricted: Bool { self.has("restrict") }

    /// The command forced by `command="…"`, to run instead of whatever the client asks for.
    public var forcedCommand: String? { self.values(of: "command").last }

    /// Whether a pseudo-terminal may be allocated (`pty`, `no-pty`, `restrict`).
    public var permitsPTY: Bool { self.permits("pty") }
    /// Whether port forwarding is allowed (`port-forwarding`, `no-port-forwarding`, `restrict`).
    public var permitsPortForwarding: Bool { self.permits("port-forwarding") }
    /// Whether agent forwarding is allowed (`agent-forwarding`, `no-agent-forwarding`, `restrict`).
    public var permitsAgentForwarding: Bool { self.permits("agent-forwarding") }
    /// Whether X11 forwarding is allowed (`x11-forwarding`, `no-x11-forwarding`, `restrict`).
    public var permitsX11Forwarding: Bool { self.permits("x11-forwarding") }
    /// Whether `~/.ssh/rc` may run (`user-rc`, `no-user-rc`, `restrict`).
    public var permitsUserRC: Bool { self.permits("user-rc") }

    /// The options applied in order, as sshd does: `restrict` turns a feature off, `feature` on, `no-feature` off.
    private func permits(_ feature: String) -> Bool {
        var allowed = true
        for option in self.options {
            switch option.name {
            case "restrict", "no-" + feature: allowed = false
            case feature: allowed = true
            default: break
            }
        }
        return allowed
    }

    /// Whether a client connecting from `clientAddress` may use this key under its `from="pattern-list"`
    /// options (all must agree; no option allows everyone).
    ///
    /// Each list is comma-separated; entries may use `*` and `?`, `!` negates (a negated match refuses
    /// outright), and `address/length` matches a CIDR block. Entries are matched against the address
    /// and, when given, the client's verified host name.
    public func allows(from clientAddress: String, hostName: String? = nil) -> Bool {
        let address = HostPatterns.canonicalAddress(clientAddress)
        for list in self.values(of: "from") {
            let byAddress = HostPatterns.matchAddress(address, list: list)
            let byName = hostName.map { HostPatterns.matchHost($0, list: list) } ?? .none
            if byAddress == .negated || byName == .negated { return false }
            if byAddress != .matched && byName != .matched { return false }
        }
        return true
    }

    /// When the key stops being valid, from `expiry-time="YYYYMMDD[HHMM[SS]][Z]"` (local time unless
    /// `Z`); the earliest when repeated.
    public var expiryDate: Date? {
        self.values(of: "expiry-time").compactMap(Self.parseExpiry).min()
    }

    /// Whether the key has expired at `date`.
    public func isExpired(at date: Date = Date()) -> Bool {
        guard let expiry = self.expiryDate else { return false }
        return date >= expiry
    }

    static func parseExpiry(_ text: String) -> Date? {
        var digits = Substring(text)
        var timeZone = TimeZone.current
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits = digits.dropLast()
            timeZone = TimeZone(identifier: "UTC")!
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber)
        else { return nil }
        func field(_ offset: Int, _ length: Int) -> Int {
            let start = digits.index(digits.startIndex, offsetBy: offset)
            return Int(digits[start..<digits.index(start, offsetBy: length)])!
        }
        var components = DateComponents()
        components.year = field(0, 4)
        components.month = field(4, 2)
        components.day = field(6, 2)
        components.hour = digits.count >= 12 ? field(8, 2) : 0
        components.minute = digits.count >= 12 ? field(10, 2) : 0
        components.second = digits.count == 14 ? field(12, 2) : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard (1...12).contains(components.month!), (1...31).contains(components.day!),
            (0...23).contains(components.hour!), (0...59).contains(components.minute!),
            (0...60).contains(components.second!),
            let date = calendar.date(from: components),
            calendar.component(.day, from: date) == components.day
        else { return nil }
        return date
    }
}

/// Parsing of `authorized_keys` files.
public enum AuthorizedKeys {
    /// Options that take no value.
    static let flagOptions: Set<String> = [
        "agent-forwarding", "cert-authority", "no-agent-forwarding", "no-port-forwarding", "no-pty", "no-user-rc",
        "no-x11-forwarding", "port-forwarding", "pty", "no-touch-required", "verify-required", "restrict", "user-rc",
        "x11-forwarding",
    ]
    /// Options written `name="value"`.
    static let valueOptions: Set<String> = [
        "command", "environment", "expiry-time", "from", "permitlisten", "permitopen", "principals", "tunnel",
    ]
    /// Key types sshd knows that Ferry does not support, recognised so that their lines get a clear error.
    static let unsupportedKeyTypes: Set<String> = [
        "ssh-dss", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com",
    ]

    /// Parses an authorized_keys file.
    ///
    /// Blank lines and `#` comments are skipped. A line that cannot be used (malformed or unknown
    /// options, a bad key, an unsupported key type, or a `cert-authority` key, since Ferry does not
    /// support certificates) is left out of `keys` and reported in `errors` with its 1-based line number.
    public static func parse(_ text: String) -> (keys: [AuthorizedKey], errors: [(line: Int, message: String)]) {
        var keys: [AuthorizedKey] = []
        var errors: [(line: Int, message: String)] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            do {
                let entry = try Self.parseLine(line, number: index + 1)
                if entry.has("cert-authority") {
                    errors.append((index + 1, "cert-authority keys are not supported; line ignored"))
                } else {
                    keys.append(entry)
                }
            } catch let error as AuthorizedKeysLineError {
                errors.append((index + 1, error.message))
            } catch {
                errors.append((index + 1, "\(error)"))
            }
        }
        return (keys, errors)
    }

    static func parseLine(_ line: Substring, number: Int) throws -> AuthorizedKey {
        let firstWord = line.prefix(while: { $0 != " " && $0 != "\t" })
        var options: [AuthorizedKey.Option] = []
        var rest = line
        if !Self.isKeyType(firstWord) {
            (options, rest) = try Self.parseOptions(line)
            let keyType = rest.prefix(while: { $0 != " " && $0 != "\t" })
            if Self.unsupportedKeyTypes.contains(String(keyType)) || keyType.hasSuffix("-cert-v01@openssh.com") {
                throw AuthorizedKeysLineError("unsupported key type \"\(keyType.prefix(64))\"")
            }
        } else if Self.unsupportedKeyTypes.contains(String(firstWord)) || firstWord.hasSuffix("-cert-v01@openssh.com") {
            throw AuthorizedKeysLineError("unsupported key type \"\(firstWord.prefix(64))\"")
        }
        let parsed: (key: SSHPublicKey, comment: String?)
        do {
            parsed = try SSHPublicKey.parseOpenSSHLine(rest)
        } catch {
            throw AuthorizedKeysLineError("invalid key: \((error as? SSHError)?.message ?? "\(error)")")
        }
        return AuthorizedKey(options: options, key: parsed.key, comment: parsed.comment, line: number)
    }

    private static func isKeyType(_ word: Substring) -> Bool {
        SSHKeyType(rawValue: String(word)) != nil || Self.unsupportedKeyTypes.contains(String(word))
            || word.hasSuffix("-cert-v01@openssh.com")
    }

    /// Parses `name[="value"],…` up to the first unquoted blank; returns the options and the rest of the line.
    static func parseOptions(_ line: Substring) throws -> ([AuthorizedKey.Option], Substring) {
        var options: [AuthorizedKey.Option] = []
        var index = line.startIndex
        while true {
            let nameStart = index
            while index < line.endIndex,
                line[index].isLetter || line[index].isNumber || line[index] == "-"
                    || line[index] == "_"
            {
                index = line.index(after: index)
            }
            let name = line[nameStart..<index].lowercased()
            guard !name.isEmpty else {
                throw AuthorizedKeysLineError("malformed options")
            }
            var value: String?
            if index < line.endIndex, line[index] == "=" {
                index = line.index(after: index)
                guard index < line.endIndex, line[index] == "\"" else {
                    throw AuthorizedKeysLineError("the value of option \"\(name)\" must be in double quotes")
                }
                index = line.index(after: index)
                var text = ""
                var closed = false
                while index < line.endIndex {
                    let character = line[index]
                    index = line.index(after: index)
                    if character == "\"" {
                        closed = true
                        break
                    }
                    if character == "\\", index < line.endIndex, line[index] == "\"" {
                        text.append("\"")
                        index = line.index(after: index)
                    } else {
                        text.append(character)
                    }
                }
                guard closed else {
                    throw AuthorizedKeysLineError("missing closing quote in option \"\(name)\"")
                }
                value = text
            }
            if Self.flagOptions.contains(name) {
                guard value == nil else { throw AuthorizedKeysLineError("option \"\(name)\" takes no value") }
            } else if Self.valueOptions.contains(name) {
                guard let value else { throw AuthorizedKeysLineError("option \"\(name)\" needs a value") }
                if name == "expiry-time", AuthorizedKey.parseExpiry(value) == nil {
                    throw AuthorizedKeysLineError("invalid expiry-time \"\(value.prefix(32))\"")
                }
            } else {
                throw AuthorizedKeysLineError("unknown option \"\(name.prefix(64))\"")
            }
            options.append(AuthorizedKey.Option(name: name, value: value))
            guard index < line.endIndex else {
                throw AuthorizedKeysLineError("options are not followed by a key")
            }
            if line[index] == "," {
                index = line.index(after: index)
                continue
            }
            guard line[index] == " " || line[index] == "\t" else {
                throw AuthorizedKeysLineError("malformed options")
            }
            return (options, line[index...].drop(while: { $0 == " " || $0 == "\t" }))
        }
    }
}

/// A line-level parse error with a message fit for the errors list.
struct AuthorizedKeysLineError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

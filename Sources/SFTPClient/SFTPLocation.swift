/// A remote place named on the command line: `sftp://[user@]host[:port][/path]` or scp's `[user@]host:path`.
///
/// In a URL, `/path` is absolute and `/~/path` is relative to the login directory (as curl and the
/// secsh URI draft read it); with no path the login directory is meant. In the scp form the path is relative
/// to the login directory unless it starts with `/`. Percent-escapes are decoded in the URL form. A password
/// in the URL is refused, since command lines are visible to every user of the machine.
public struct SFTPLocation: Sendable, Equatable, CustomStringConvertible {
    public var user: String?
    /// The host or `~/.ssh/config` alias, without IPv6 brackets.
    public var host: String
    public var port: Int?
    /// The remote path; "." means the login directory.
    public var path: String

    public init(user: String?, host: String, port: Int?, path: String) {
        self.user = user
        self.host = host
        self.port = port
        self.path = path
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Whether `text` names a remote place (rather than a local path).
    public static func looksRemote(_ text: String) -> Bool {
        if text.hasPrefix("sftp://") { return true }
        if text.hasPrefix("/") || text.hasPrefix("./") || text.hasPrefix("../") { return false }
        guard let colon = text.firstIndex(of: ":") else { return false }
        let head = text[..<colon]
        // "C:" style and names with a slash before the colon are local.
        return !head.isEmpty && !head.contains("/") && head.count > 1 || head.hasPrefix("[")
    }

    /// Parses either form.
    public static func parse(_ text: String) throws(ParseError) -> SFTPLocation {
        if text.hasPrefix("sftp://") { return try self.parseURL(text) }
        return try self.parseSCP(text)
    }

    static func parseURL(_ text: String) throws(ParseError) -> SFTPLocation {
        let rest = text.dropFirst("sftp://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = Substring(rest[..<slash])
        let rawPath = String(rest[slash...])
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") {
                throw ParseError(
                    description:
                        "\(Self.redacted(text)): a password in the URL is refused (anyone on this machine can read command lines); use --password-file or the FERRY_PASSWORD variable"
                )
            }
            // The secsh URI draft allows ";fingerprint=…" parameters after the user; they are ignored here.
            let name = userInfo.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            user = try self.percentDecoded(name, in: text)
            authority = authority[authority.index(after: at)...]
        }
        let (host, port) = try self.hostAndPort(authority, in: text)
        var path = try self.percentDecoded(rawPath, in: text)
        if path.isEmpty || path == "/~" || path == "/~/" {
            path = "."
        } else if path.hasPrefix("/~/") {
            path = String(path.dropFirst(3))
        }
        return SFTPLocation(user: user?.isEmpty == true ? nil : user, host: host, port: port, path: path)
    }

    static func parseSCP(_ text: String) throws(ParseError) -> SFTPLocation {
        var rest = Substring(text)
        var user: String?
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains(":") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        let host: String
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw ParseError(description: "\(text): missing ] after an IPv6 address")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        } else {
            guard let colon = rest.firstIndex(of: ":") else {
                throw ParseError(description: "\(text): expected [user@]host:path or sftp://[user@]host[:port]/path")
            }
            host = String(rest[..<colon])
            rest = rest[colon...]
        }
        guard rest.hasPrefix(":") else {
            throw ParseError(description: "\(text): expected : after the host")
        }
        let path = String(rest.dropFirst())
        guard !host.isEmpty else { throw ParseError(description: "\(text): the host is missing") }
        return SFTPLocation(
            user: user?.isEmpty == true ? nil : user,
            host: host,
            port: nil,
            path: path.isEmpty ? "." : path
        )
    }

    private static func hostAndPort(_ authority: Substring, in text: String) throws(ParseError) -> (String, Int?) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ParseError(description: "\(text): missing ] after an IPv6 address")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw ParseError(description: "\(text): unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw ParseError(description: "\(text): the host is missing") }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw ParseError(description: "\(text): the port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = value
        }
        return (String(host), port)
    }

    private static func percentDecoded(_ text: String, in whole: String) throws(ParseError) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else {
                throw ParseError(description: "\(whole): a % must be followed by two hexadecimal digits")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw ParseError(description: "\(whole): the escaped bytes are not UTF-8")
        }
        return decoded
    }

    /// The URL with any password replaced, for messages.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return text }
        let userInfo = text[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }

    /// `sftp://user@host:port/path`, the form logs and messages use.
    public var description: String {
        let hostPart = self.host.contains(":") ? "[\(self.host)]" : self.host
        let userPart = self.user.map { "\($0)@" } ?? ""
        let portPart = self.port.map { ":\($0)" } ?? ""
        let pathPart: String
        if self.path == "." {
            pathPart = ""
        } else if self.path.hasPrefix("/") {
            pathPart = self.path
        } else {
            pathPart = "/~/" + self.path
        }
        return "sftp://\(userPart)\(hostPart)\(portPart)\(pathPart)"
    }
}

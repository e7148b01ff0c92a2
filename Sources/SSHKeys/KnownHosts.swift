import Crypto
import Foundation
import SSHProtocol

/// An OpenSSH `known_hosts` file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
/// `[@marker] hostnames keytype base64-key [comment]`.
///
/// Host names are matched as ssh writes them: "host" for port 22 and "[host]:port" otherwise, lowercased.
/// The hostnames field is either a comma-separated pattern list (`*`, `?`, `!negation`) or one hashed
/// name, `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
public struct KnownHosts: Sendable {
    /// One key line.
    public struct Entry: Hashable, Sendable {
        /// The `@` marker at the start of a line.
        public enum Marker: Hashable, Sendable {
            /// No marker: a host key.
            case none
            /// `@revoked`: the key must never be accepted.
            case revoked
            /// `@cert-authority`: a certificate authority (certificates are not supported; such lines are ignored).
            case certificateAuthority
        }

        /// The line's marker.
        public var marker: Marker
        /// The hostnames field as written.
        public var hosts: String
        /// The key.
        public var key: SSHPublicKey
        /// The comment after the key, if any.
        public var comment: String?
        /// The 1-based line number.
        public var line: Int

        /// Whether the hostnames field matches `name` (already in "host" or "[host]:port" form, lowercased).
        public func matches(hostName name: String) -> Bool {
            if self.hosts.hasPrefix("|") {
                return KnownHosts.hashedMatch(self.hosts, name: name)
            }
            return HostPatterns.matchHost(name, list: self.hosts) == .matched
        }
    }

    /// The outcome of looking up a host key.
    public enum Result: Hashable, Sendable {
        /// The key is known for this host.
        case match
        /// The host has other keys recorded (or this key is revoked): possible man-in-the-middle attack.
        case mismatch(expected: [SSHPublicKey])
        /// Nothing is recorded for this host.
        case unknown
    }

    /// The usable lines, in file order.
    public private(set) var entries: [Entry]
    /// Lines that could not be parsed, with their 1-based numbers; they are otherwise ignored.
    public private(set) var errors: [(line: Int, message: String)]

    /// Parses the contents of a known_hosts file. Blank lines and `#` comments are skipped.
    public init(contents: String) {
        self.entries = []
        self.errors = []
        let lines = contents.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            var marker = Entry.Marker.none
            if line.hasPrefix("@") {
                let word = line.prefix(while: { $0 != " " && $0 != "\t" })
                switch word {
                case "@revoked": marker = .revoked
                case "@cert-authority": marker = .certificateAuthority
                default:
                    self.errors.append((index + 1, "unknown marker \"\(word.prefix(32))\""))
                    continue
                }
                line = line.dropFirst(word.count).drop(while: { $0 == " " || $0 == "\t" })
            }
            let hosts = line.prefix(while: { $0 != " " && $0 != "\t" })
            let rest = line.dropFirst(hosts.count)
            guard !hosts.isEmpty, !rest.isEmpty else {
                self.errors.append((index + 1, "expected \"hostnames keytype key\""))
                continue
            }
            do {
                let (key, comment) = try SSHPublicKey.parseOpenSSHLine(rest)
                self.entries.append(
                    Entry(marker: marker, hosts: String(hosts), key: key, comment: comment, line: index + 1)
                )
            } catch let error as SSHError {
                // Keys of types Ferry does not support are expected in real files; skip them quietly.
                if error.code != .unsupportedAlgorithm {
                    self.errors.append((index + 1, error.message))
                }
            } catch {
                self.errors.append((index + 1, "\(error)"))
            }
        }
    }

    /// The keys recorded for a host (not revoked, not certificate authorities).
    public func knownKeys(host: String, port: Int) -> [SSHPublicKey] {
        let name = Self.hostName(host: host, port: port)
        return self.entries.filter { $0.marker == .none && $0.matches(hostName: name) }.map(\.key)
    }

    /// Checks the key a host presented.
    ///
    /// A key marked `@revoked` anywhere in the file is a ``Result/mismatch(expected:)`` whatever its host
    /// names. Otherwise the result is ``Result/match`` when the key is recorded for the host,
    /// ``Result/mismatch(expected:)`` when the host has only other keys recorded (of any type: a client
    /// should prefer the host key algorithms it already knows), and ``Result/unknown`` when it has none.
    /// `@cert-authority` lines are ignored.
    public func check(host: String, port: Int, key: SSHPublicKey) -> Result {
        let known = self.knownKeys(host: host, port: port)
        if self.entries.contains(where: { $0.marker == .revoked && $0.key == key }) {
            return .mismatch(expected: known.filter { $0 != key })
        }
        if known.contains(key) { return .match }
        return known.isEmpty ? .unknown : .mismatch(expected: known)
    }

    /// A line to append to a known_hosts file (without a newline).
    ///
    /// - Parameter hashed: write the host name hashed with a random salt, as `ssh -o HashKnownHosts=yes` does.
    public static func entry(host: String, port: Int, key: SSHPublicKey, hashed: Bool) -> String {
        let name = Self.hostName(host: host, port: port)
        guard hashed else { return name + " " + key.openSSHLine(comment: nil) }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Insecure.SHA1.byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let hash = HMAC<Insecure.SHA1>.authenticationCode(for: Array(name.utf8), using: SymmetricKey(data: salt))
        let field = "|1|" + Data(salt).base64EncodedString() + "|" + Data(hash).base64EncodedString()
        return field + " " + key.openSSHLine(comment: nil)
    }

    /// The name ssh records for a host: "host" on port 22, "[host]:port" otherwise, lowercased.
    static func hostName(host: String, port: Int) -> String {
        let lowered = host.lowercased()
        return port == 22 ? lowered : "[\(lowered)]:\(port)"
    }

    /// Whether a `|1|salt|hash` field is the hash of `name`.
    static func hashedMatch(_ field: String, name: String) -> Bool {
        let parts = field.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0].isEmpty, parts[1] == "1",
            let salt = Data(base64Encoded: String(parts[2])), salt.count == Insecure.SHA1.byteCount,
            let hash = Data(base64Encoded: String(parts[3])), hash.count == Insecure.SHA1.byteCount
        else { return false }
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: Array(name.utf8), using: SymmetricKey(data: salt))
        return ConstantTime.equals(Array(code), Array(hash))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenSSH's host and address patterns (ssh_config(5) "PATTERNS"): comma-separated lists of patterns
/// where `*` matches any run of characters and `?` exactly one, a leading `!` negates, and, for
/// addresses, `address/length` matches a CIDR block.
enum HostPatterns {
    /// The outcome of matching a pattern list.
    enum Outcome: Equatable {
        /// A positive pattern matched and no negated pattern did.
        case matched
        /// A negated pattern matched: a definite "no".
        case negated
        /// Nothing matched.
        case none
    }

    /// Matches a host name (or any text) against a comma-separated list of wildcard patterns, ignoring case.
    static func matchHost(_ host: String, list: String) -> Outcome {
        let subject = Array(host.lowercased().utf8)
        var outcome = Outcome.none
        for entry in list.split(separator: ",", omittingEmptySubsequences: true) {
            let negated = entry.hasPrefix("!")
            let pattern = Array((negated ? entry.dropFirst() : entry[...]).lowercased().utf8)
            guard self.wildcardMatch(subject[...], pattern[...]) else { continue }
            if negated { return .negated }
            outcome = .matched
        }
        return outcome
    }

    /// Matches an IP address against a comma-separated list of wildcard patterns and CIDR blocks.
    static func matchAddress(_ address: String, list: String) -> Outcome {
        let subject = Array(address.lowercased().utf8)
        let addressBytes = self.ipAddressBytes(address)
        var outcome = Outcome.none
        for entry in list.split(separator: ",", omittingEmptySubsequences: true) {
            let negated = entry.hasPrefix("!")
            let pattern = negated ? entry.dropFirst() : entry[...]
            let matches: Bool
            if pattern.contains("/") {
                matches = addressBytes.map { self.cidrMatch($0, block: String(pattern)) } ?? false
            } else {
                matches = self.wildcardMatch(subject[...], Array(pattern.lowercased().utf8)[...])
            }
            guard matches else { continue }
            if negated { return .negated }
            outcome = .matched
        }
        return outcome
    }

    /// Whether `subject` matches a pattern of literal bytes, `*` and `?`.
    static func wildcardMatch(_ subject: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        var s = subject.startIndex
        var p = pattern.startIndex
        // Where to resume after the most recent `*`: the pattern just past it, and the subject position.
        var star: (pattern: Int, subject: Int)?
        while s < subject.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                star = (p + 1, s)
                p += 1
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == subject[s] {
                p += 1
                s += 1
            } else if let resume = star {
                // Let the last `*` swallow one more character.
                star = (resume.pattern, resume.subject + 1)
                p = resume.pattern
                s = resume.subject + 1
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
            p += 1
        }
        return p == pattern.endIndex
    }

    /// Whether an address (4 or 16 bytes) lies in "address/length".
    static func cidrMatch(_ address: [UInt8], block: String) -> Bool {
        let parts = block.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), let network = self.ipAddressBytes(String(parts[0])),
            network.count == address.count, length >= 0, length <= network.count * 8
        else { return false }
        var remaining = length
        for index in network.indices where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// The bytes of an IPv4 (4) or IPv6 (16) address in text form; IPv4-mapped IPv6 addresses give 4 bytes.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return Array(bytes[12...])
            }
            return bytes
        }
        return nil
    }

    /// The address in the form patterns are written against: IPv4-mapped IPv6 addresses become dotted quads.
    static func canonicalAddress(_ text: String) -> String {
        guard let bytes = self.ipAddressBytes(text), bytes.count == 4, text.contains(":") else { return text }
        return bytes.map(String.init).joined(separator: ".")
    }
}

/// OpenSSH's wildcard matching, for host names in `ssh_config` and `known_hosts` patterns.
public enum SSHWildcard {
    /// Whether `subject` matches `pattern`, where `*` matches any run of characters, `?` exactly one, and
    /// everything else itself (byte for byte: lowercase both sides first for host names).
    public static func matches(_ subject: String, pattern: String) -> Bool {
        HostPatterns.wildcardMatch(Array(subject.utf8)[...], Array(pattern.utf8)[...])
    }
}

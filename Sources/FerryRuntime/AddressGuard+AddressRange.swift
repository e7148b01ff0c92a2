/// An IP address as 128 bits; IPv4 addresses are held as IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`), so
/// `1.2.3.4` and `::ffff:1.2.3.4` are the same address.
struct IPAddressBits: Hashable, Sendable {
    /// The first 64 bits.
    var high: UInt64
    /// The last 64 bits.
    var low: UInt64

    /// Whether the address is IPv4 (IPv4-mapped).
    var isIPv4: Bool { self.high == 0 && self.low >> 32 == 0xffff }

    /// Parses a dotted-quad IPv4 address or an IPv6 address (RFC 4291 §2.2), optionally in brackets and with a
    /// zone (`%eth0`), which is ignored.
    init?(parsing text: some StringProtocol) {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        if let v4 = Self.parseIPv4(text) {
            self.init(high: 0, low: 0xffff_0000_0000 | UInt64(v4))
        } else if let groups = Self.parseIPv6(text) {
            self.init(
                high: groups[0..<4].reduce(0) { $0 << 16 | UInt64($1) },
                low: groups[4..<8].reduce(0) { $0 << 16 | UInt64($1) }
            )
        } else {
            return nil
        }
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The address with every bit after the first `prefixLength` cleared.
    func masked(to prefixLength: Int) -> IPAddressBits {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> bits) }
        return IPAddressBits(high: self.high & mask(prefixLength), low: self.low & mask(prefixLength - 64))
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), part == "0" || !part.hasPrefix("0"),
                let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) -> [UInt16]? {
        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains("."), let v4 = parseIPv4(piece) {
                    result += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit),
                        let group = UInt16(piece, radix: 16)
                    else { return nil }
                    result.append(group)
                }
            }
            return result
        }
        guard text.contains(":") else { return nil }
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0], allowIPv4Tail: false),
                let tail = groups(halves[1], allowIPv4Tail: true),
                head.count + tail.count <= 7
            else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }
}

/// An IP address or a network in CIDR notation: `192.0.2.7`, `10.0.0.0/8`, `::1`, `fd00::/8`.
///
/// IPv4 ranges also match the IPv4-mapped IPv6 form of their addresses (`::ffff:10.1.2.3`).
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The network, with host bits cleared.
    let network: IPAddressBits
    /// The prefix length over the 128-bit form (an IPv4 `/8` is 104).
    let prefixLength: Int
    /// The text as given, trimmed.
    public let description: String

    /// Parses an address or `ADDRESS/PREFIX`; host bits after the prefix are ignored.
    ///
    /// - Returns: `nil` when the text is not an IPv4 or IPv6 address with an optional prefix length in range
    ///   (0…32 for IPv4, 0…128 for IPv6).
    public init?(_ text: String) {
        let text = text.trimmingSpaces()
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddressBits(parsing: parts[0]) else { return nil }
        let width = address.isIPv4 && !parts[0].contains(":") ? 32 : 128
        var prefix = width
        if parts.count == 2 {
            guard (1...3).contains(parts[1].count), parts[1].allSatisfy(\.isASCIIDigit), let given = Int(parts[1]),
                given <= width
            else { return nil }
            prefix = given
        }
        let prefixLength = prefix + (128 - width)
        self.network = address.masked(to: prefixLength)
        self.prefixLength = prefixLength
        self.description = text
    }

    /// Whether `address`, an IPv4 or IPv6 address as text, is in this range; `false` for anything that is not an
    /// IP address.
    public func contains(_ address: String) -> Bool {
        guard let bits = IPAddressBits(parsing: address) else { return false }
        return self.contains(bits)
    }

    func contains(_ address: IPAddressBits) -> Bool {
        address.masked(to: self.prefixLength) == self.network
    }

    /// Ranges are equal when they cover the same addresses, however they were written.
    public static func == (lhs: AddressRange, rhs: AddressRange) -> Bool {
        lhs.network == rhs.network && lhs.prefixLength == rhs.prefixLength
    }

    /// Hashes the network and prefix length.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.network)
        hasher.combine(self.prefixLength)
    }
}

/// The textual forms of configuration values: durations, sizes and booleans, parsed and formatted.
///
/// The same forms are accepted from a YAML file, the environment and the command line.
public enum ConfigurationValues {
    private static let durationUnits: [(suffix: String, milliseconds: Int64)] = [
        ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses a duration: `0`, plain seconds (`90`), or one or more whole numbers each followed by a unit —
    /// `ms`, `s`, `m`, `h` or `d` — such as `90s`, `15m`, `2h`, `1d` or `1h30m`.
    ///
    /// - Returns: The duration, or `nil` when `text` is not one of these forms or overflows.
    public static func duration(_ text: String) -> Duration? {
        let text = text.trimmingSpaces()
        guard !text.isEmpty else { return nil }
        if text.allSatisfy(\.isASCIIDigit) {
            guard let seconds = Int64(text), seconds <= Int64.max / 1000 else { return nil }
            return .seconds(seconds)
        }
        var total: Int64 = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix(while: { $0.isASCII && $0.isLetter })
            rest = rest.dropFirst(unit.count)
            guard let scale = Self.durationUnits.first(where: { $0.suffix == unit })?.milliseconds else { return nil }
            let (product, productOverflow) = number.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !productOverflow, !sumOverflow else { return nil }
            total = sum
        }
        return .milliseconds(total)
    }

    /// Formats a duration in its shortest exact form with one unit: `0`, `90s`, `15m`, `2h`, `1d`, `250ms`.
    ///
    /// Sub-millisecond parts are dropped; every result parses back with ``duration(_:)``.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "0" }
        for unit in Self.durationUnits where milliseconds % unit.milliseconds == 0 {
            return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
        }
        return "\(milliseconds)ms"
    }

    private static let sizeUnits: [(suffixes: [String], bytes: UInt64)] = [
        (["", "b"], 1),
        (["k", "kb", "kib"], 1 << 10),
        (["m", "mb", "mib"], 1 << 20),
        (["g", "gb", "gib"], 1 << 30),
        (["t", "tb", "tib"], 1 << 40),
    ]

    /// Parses a size in bytes: a whole number, optionally followed by a unit — `k`, `m`, `g` or `t`, each
    /// optionally followed by `b` or `ib`, in any case — all powers of 1024: `512k`, `20MiB`, `1G`, `4096`.
    ///
    /// - Returns: The number of bytes, or `nil` when `text` is not one of these forms or overflows.
    public static func size(_ text: String) -> UInt64? {
        let text = text.trimmingSpaces()
        let digits = text.prefix(while: \.isASCIIDigit)
        guard !digits.isEmpty, let number = UInt64(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmingSpaces().lowercased()
        guard let scale = Self.sizeUnits.first(where: { $0.suffixes.contains(unit) })?.bytes else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    /// Formats a size with the largest binary unit that divides it: `20MiB`, `1GiB`, `512KiB`, `1000`.
    ///
    /// Every result parses back with ``size(_:)``.
    public static func format(size: UInt64) -> String {
        guard size > 0 else { return "0" }
        for unit in Self.sizeUnits.reversed() where unit.bytes > 1 && size % unit.bytes == 0 {
            return "\(size / unit.bytes)\(unit.suffixes[0].uppercased())iB"
        }
        return "\(size)"
    }

    /// Parses a boolean: `true`, `yes`, `on`, `1` or `false`, `no`, `off`, `0`, in any case.
    ///
    /// - Returns: The value, or `nil` for anything else.
    public static func bool(_ text: String) -> Bool? {
        switch text.trimmingSpaces().lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }
}

extension Character {
    /// Whether this is one of `0`…`9`.
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}

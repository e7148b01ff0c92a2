/// ISO 8601 timestamps with milliseconds, formatted and parsed without a calendar or locale, in the proleptic
/// Gregorian calendar.
public enum ISO8601Milliseconds {
    /// Formats milliseconds since 1970-01-01T00:00:00Z in UTC, as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    ///
    /// - Parameter milliseconds: Milliseconds since the Unix epoch, for a time in the years 1 to 9999.
    /// - Returns: The timestamp.
    public static func format(milliseconds: Int64) -> String {
        let millisecondsPerDay: Int64 = 86_400_000
        var days = milliseconds / millisecondsPerDay
        var ofDay = milliseconds % millisecondsPerDay
        if ofDay < 0 {
            ofDay += millisecondsPerDay
            days -= 1
        }
        let (year, month, day) = Self.civil(days: days)
        func padded(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2) + "T"
            + padded(ofDay / 3_600_000, 2) + ":" + padded(ofDay / 60_000 % 60, 2) + ":"
            + padded(ofDay / 1000 % 60, 2) + "." + padded(ofDay % 1000, 3) + "Z"
    }

    /// Parses a date or a date and time.
    ///
    /// Accepted: `YYYY-MM-DD` (midnight), and `YYYY-MM-DDTHH:MM[:SS[.fraction]]` (`T` or a space between)
    /// followed by `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing. Without an offset the time is UTC. Fractions beyond
    /// milliseconds are truncated.
    ///
    /// - Parameter text: The timestamp.
    /// - Returns: Milliseconds since 1970-01-01T00:00:00Z, or `nil` when the text is not such a timestamp or names
    ///   an impossible date or time.
    public static func parse(_ text: String) -> Int64? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.take("-"),
            let month = scanner.number(digits: 2), scanner.take("-"),
            let day = scanner.number(digits: 2),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var milliseconds = Self.days(year: year, month: month, day: day) * 86_400_000
        if scanner.isAtEnd { return milliseconds }
        guard scanner.take("T") || scanner.take("t") || scanner.take(" "),
            let hour = scanner.number(digits: 2), scanner.take(":"),
            let minute = scanner.number(digits: 2), hour < 24, minute < 60
        else { return nil }
        var second: Int64 = 0
        var fraction: Int64 = 0
        if scanner.take(":") {
            guard let value = scanner.number(digits: 2), value < 60 else { return nil }
            second = value
            if scanner.take(".") || scanner.take(",") {
                var count = 0
                while let digit = scanner.digit() {
                    if count < 3 { fraction = fraction * 10 + digit }
                    count += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<max(count, 3) { fraction *= 10 }
            }
        }
        milliseconds += ((hour * 60 + minute) * 60 + second) * 1000 + fraction
        if scanner.isAtEnd || scanner.take("Z") || scanner.take("z") {
            return scanner.isAtEnd ? milliseconds : nil
        }
        let sign: Int64
        if scanner.take("+") {
            sign = 1
        } else if scanner.take("-") {
            sign = -1
        } else {
            return nil
        }
        guard let offsetHours = scanner.number(digits: 2), offsetHours < 24 else { return nil }
        var offsetMinutes: Int64 = 0
        if !scanner.isAtEnd {
            _ = scanner.take(":")
            guard let value = scanner.number(digits: 2), value < 60 else { return nil }
            offsetMinutes = value
        }
        guard scanner.isAtEnd else { return nil }
        return milliseconds - sign * (offsetHours * 60 + offsetMinutes) * 60_000
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { self.index == self.bytes.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard !self.isAtEnd, self.bytes[self.index] == UInt8(ascii: character) else { return false }
            self.index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard !self.isAtEnd, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index]) else {
                return nil
            }
            defer { self.index += 1 }
            return Int64(self.bytes[self.index] - UInt8(ascii: "0"))
        }

        mutating func number(digits: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<digits {
                guard let digit = self.digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}

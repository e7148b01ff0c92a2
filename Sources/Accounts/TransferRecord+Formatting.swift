extension TransferRecord {
    /// The record as one logfmt line, without a newline:
    /// `time=2026-11-22T10:00:00.123Z user=alice client=127.0.0.1:5555 protocol=sftp action=upload
    /// path="/in/a b.txt" bytes=1048576 duration_ms=12.5 result=ok`.
    ///
    /// Keys come in a fixed order — `time user client protocol action path target bytes duration_ms result
    /// session` — and absent fields are left out; ``id`` is not written. A value is quoted when it is empty or
    /// contains a space, `=`, `"` or a control character, and quoted values are escaped as Go's logfmt package
    /// does: `\\`, `\"`, `\n`, `\r`, `\t`, and `\u00XX` for other control characters (here also DEL and the
    /// C1 controls, so no terminal control sequence reaches a log viewer).
    ///
    /// - Returns: The line.
    public func logfmt() -> String {
        var line = ""
        for (key, value) in self.fields() {
            if !line.isEmpty { line += " " }
            line += key
            line += "="
            switch value {
            case .text(let text): LogfmtFormat.appendValue(text, to: &line)
            case .number(let number): line += number
            }
        }
        return line
    }

    /// The record as one JSON object, without a newline, with keys in a fixed order: `id` (when stored),
    /// `time` (ISO 8601 in UTC with milliseconds), `user`, `client`, `protocol`, `action`, `path`, `target`,
    /// `bytes`, `duration_ms`, `result`, `session`. Absent fields are left out.
    ///
    /// Strings are escaped as JSON requires; other control characters, DEL, the C1 controls and U+2028/U+2029
    /// are written as `\u` and four hex digits, so the line is plain printable text.
    ///
    /// - Returns: The line.
    public func jsonLine() -> String {
        var line = "{"
        var first = true
        var fields = self.fields()
        if let id = self.id {
            fields.insert(("id", .number(String(id))), at: 0)
        }
        for (key, value) in fields {
            if !first { line += "," }
            first = false
            JSONFormat.appendString(key, to: &line)
            line += ":"
            switch value {
            case .text(let text): JSONFormat.appendString(text, to: &line)
            case .number(let number): line += number
            }
        }
        line += "}"
        return line
    }

    /// The record's time as ISO 8601 in UTC with milliseconds, such as `2026-11-22T10:00:00.123Z`.
    public var timeText: String {
        ISO8601Milliseconds.format(milliseconds: self.timeMilliseconds)
    }

    private enum Value {
        case text(String)
        case number(String)
    }

    /// The present fields in output order, ``id`` aside.
    private func fields() -> [(String, Value)] {
        var fields: [(String, Value)] = [("time", .text(self.timeText)), ("user", .text(self.user))]
        if let clientAddress { fields.append(("client", .text(clientAddress))) }
        fields.append(("protocol", .text(self.protocolName)))
        fields.append(("action", .text(self.action.rawValue)))
        if let path { fields.append(("path", .text(path))) }
        if let targetPath { fields.append(("target", .text(targetPath))) }
        if let bytes { fields.append(("bytes", .number(String(bytes)))) }
        if let microseconds = self.durationMicroseconds {
            fields.append(("duration_ms", .number(Self.millisecondsText(microseconds: microseconds))))
        }
        fields.append(("result", .text(self.result)))
        if let sessionID { fields.append(("session", .text(sessionID))) }
        return fields
    }

    /// Microseconds as decimal milliseconds without trailing zeros: 12500 → `12.5`, 3000 → `3`.
    static func millisecondsText(microseconds: Int64) -> String {
        let magnitude = microseconds.magnitude
        var text = microseconds < 0 ? "-" : ""
        text += String(magnitude / 1000)
        var fraction = magnitude % 1000
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let written = String(fraction)
            text += "." + String(repeating: "0", count: digits - written.count) + written
        }
        return text
    }
}

/// Go-logfmt value quoting.
enum LogfmtFormat {
    static func appendValue(_ value: String, to line: inout String) {
        guard value.isEmpty || value.unicodeScalars.contains(where: Self.needsQuoting) else {
            line += value
            return
        }
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": line += "\\\\"
            case "\"": line += "\\\""
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            default:
                if Self.isControl(scalar) {
                    line += Hex.unicodeEscape(scalar.value)
                } else {
                    line.unicodeScalars.append(scalar)
                }
            }
        }
        line += "\""
    }

    private static func needsQuoting(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || scalar == "=" || scalar == "\"" || Self.isControl(scalar)
    }

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// JSON string escaping.
enum JSONFormat {
    static func appendString(_ value: String, to line: inout String) {
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": line += "\\\\"
            case "\"": line += "\\\""
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case "\u{08}": line += "\\b"
            case "\u{0C}": line += "\\f"
            default:
                if LogfmtFormat.isControl(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    line += Hex.unicodeEscape(scalar.value)
                } else {
                    line.unicodeScalars.append(scalar)
                }
            }
        }
        line += "\""
    }
}

enum Hex {
    /// `\u` and four lowercase hex digits, for a scalar below U+10000.
    static func unicodeEscape(_ value: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        var text = "\\u"
        for shift in stride(from: 12, through: 0, by: -4) {
            text.append(digits[Int((value >> UInt32(shift)) & 0xF)])
        }
        return text
    }
}

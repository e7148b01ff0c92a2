/// One log line from key–value pairs, in the same two encodings as transfer records (see
/// ``TransferRecord/logfmt()`` and ``TransferRecord/jsonLine()``), so every line Ferry writes quotes and
/// escapes alike.
public enum StructuredLine {
    /// `key=value key="quoted value"`, with Go-logfmt quoting and escaping.
    public static func logfmt(_ fields: [(key: String, value: String)]) -> String {
        var line = ""
        for (key, value) in fields {
            if !line.isEmpty { line += " " }
            line += key
            line += "="
            LogfmtFormat.appendValue(value, to: &line)
        }
        return line
    }

    /// A JSON object of string values, keys in the order given.
    public static func json(_ fields: [(key: String, value: String)]) -> String {
        var line = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { line += "," }
            JSONFormat.appendString(key, to: &line)
            line += ":"
            JSONFormat.appendString(value, to: &line)
        }
        return line + "}"
    }
}

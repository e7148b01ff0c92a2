import Accounts
import Foundation
import Logging

/// Writes each log event as one line on standard error: logfmt (`time=… level=info msg="…" key=value`) or
/// a JSON object, so a container's log collector can parse it.
///
/// Secrets never reach it: passwords and keys are never put into log messages or metadata anywhere in Ferry.
public struct FerryLogHandler: LogHandler {
    /// The label, logged as `logger`.
    public let label: String
    /// The line format.
    public let format: ServeConfiguration.LogFormat
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    /// Creates a handler.
    public init(label: String, format: ServeConfiguration.LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("time", Self.timestamp(Date())), ("level", event.level.rawValue), ("msg", "\(event.message)"),
        ]
        var merged = self.metadata
        if let extra = event.metadata {
            merged.merge(extra) { $1 }
        }
        for key in merged.keys.sorted() {
            fields.append((key, "\(merged[key]!)"))
        }
        let line = self.format == .json ? Self.json(fields) : Self.logfmt(fields)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601Milliseconds.format(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in key + "=" + Self.logfmtValue(value) }.joined(separator: " ")
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0 == " " || $0 == "=" || $0 == "\"" || $0.value < 0x20 || $0.value == 0x7f
            }
        guard needsQuotes else { return value }
        return "\"" + Self.escaped(value) + "\""
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\(Self.escaped($0.0))\":\"\(Self.escaped($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// JSON string escaping (also valid inside a quoted logfmt value).
    static func escaped(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

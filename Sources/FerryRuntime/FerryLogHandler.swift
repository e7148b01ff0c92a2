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
        var fields: [(key: String, value: String)] = [
            ("time", Self.timestamp(Date())), ("level", event.level.rawValue), ("msg", "\(event.message)"),
        ]
        var merged = self.metadata
        if let extra = event.metadata {
            merged.merge(extra) { $1 }
        }
        for key in merged.keys.sorted() {
            fields.append((key, "\(merged[key]!)"))
        }
        let line = self.format == .json ? StructuredLine.json(fields) : StructuredLine.logfmt(fields)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601Milliseconds.format(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

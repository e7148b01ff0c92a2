import Foundation

/// Where a mirror stands: files by state, the latest pass, recent errors, dead files and the outbox, for
/// `ferry mirror status` (``text()`` and ``json()``) and the health endpoint (``isHealthy(now:tolerance:)``).
public struct MirrorStatus: Sendable, Equatable, Codable {
    /// A file whose latest attempt or after-download action failed.
    public struct FileError: Sendable, Equatable, Codable {
        /// The remote path.
        public var path: String
        /// Its state.
        public var state: MirrorFileState
        /// Failed attempts of its current version.
        public var attempts: Int
        /// The error.
        public var error: String
        /// When it was recorded.
        public var at: Date

        /// Creates an entry.
        public init(path: String, state: MirrorFileState, attempts: Int, error: String, at: Date) {
            self.path = path
            self.state = state
            self.attempts = attempts
            self.error = error
            self.at = at
        }
    }

    /// Where files come from (as the connector describes it), once a pass has run.
    public var source: String?
    /// Files by state name (every ``MirrorFileState`` is present).
    public var counts: [String: Int]
    /// The end of the latest pass.
    public var lastPassAt: Date?
    /// Whether the latest pass succeeded.
    public var lastPassSucceeded: Bool?
    /// Why the latest pass failed.
    public var lastPassError: String?
    /// Files the latest pass downloaded.
    public var lastPassDownloaded: Int
    /// The end of the latest successful pass.
    public var lastSuccessAt: Date?
    /// The start of the first of the passes failing since the latest success.
    public var failingSince: Date?
    /// The latest file errors, newest first.
    public var recentErrors: [FileError]
    /// Remote paths of the dead files.
    public var deadFiles: [String]
    /// Events not yet delivered.
    public var outboxPending: Int
    /// Why the oldest undelivered event last failed.
    public var outboxLastError: String?

    /// Creates a status.
    public init(
        source: String? = nil,
        counts: [String: Int],
        lastPassAt: Date? = nil,
        lastPassSucceeded: Bool? = nil,
        lastPassError: String? = nil,
        lastPassDownloaded: Int = 0,
        lastSuccessAt: Date? = nil,
        failingSince: Date? = nil,
        recentErrors: [FileError] = [],
        deadFiles: [String] = [],
        outboxPending: Int = 0,
        outboxLastError: String? = nil
    ) {
        self.source = source
        self.counts = counts
        self.lastPassAt = lastPassAt
        self.lastPassSucceeded = lastPassSucceeded
        self.lastPassError = lastPassError
        self.lastPassDownloaded = lastPassDownloaded
        self.lastSuccessAt = lastSuccessAt
        self.failingSince = failingSince
        self.recentErrors = recentErrors
        self.deadFiles = deadFiles
        self.outboxPending = outboxPending
        self.outboxLastError = outboxLastError
    }

    /// Healthy when no pass has run yet, when the latest pass succeeded, or when passes have been failing (the
    /// loop retrying) for less than `tolerance` seconds.
    ///
    /// - Parameters:
    ///   - now: The current time.
    ///   - tolerance: How long failing passes are tolerated, in seconds.
    /// - Returns: Whether the mirror is healthy.
    public func isHealthy(now: Date, tolerance: TimeInterval) -> Bool {
        guard let succeeded = self.lastPassSucceeded else { return true }
        if succeeded { return true }
        guard let since = self.failingSince else { return false }
        return now.timeIntervalSince(since) < tolerance
    }

    /// A few facts for a health report: counts, the latest pass and the outbox.
    ///
    /// - Returns: Keys and values.
    public func healthDetails() -> [String: String] {
        var details: [String: String] = [:]
        for (state, count) in self.counts { details["files_\(state)"] = String(count) }
        details["outbox_pending"] = String(self.outboxPending)
        if let at = self.lastPassAt { details["last_pass_at"] = Self.iso(at) }
        if let ok = self.lastPassSucceeded { details["last_pass"] = ok ? "ok" : "failed" }
        if let error = self.lastPassError { details["last_pass_error"] = error }
        if let since = self.failingSince { details["failing_since"] = Self.iso(since) }
        return details
    }

    /// The status as JSON, keys sorted, dates in ISO 8601.
    ///
    /// - Returns: The JSON text with a final newline.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(self) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The status as text for people: a table of counts, then the latest pass, the outbox, dead files and
    /// recent errors.
    ///
    /// - Returns: Lines of text with a final newline.
    public func text() -> String {
        var lines: [String] = []
        if let source = self.source { lines.append("source      \(source)") }
        lines.append("STATE        FILES")
        for state in MirrorFileState.allCases {
            let count = String(self.counts[state.rawValue] ?? 0)
            lines.append(state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + count)
        }
        if let at = self.lastPassAt {
            let result = self.lastPassSucceeded == true ? "ok" : "failed: \(self.lastPassError ?? "unknown error")"
            lines.append("last pass   \(Self.iso(at)) \(result) (\(self.lastPassDownloaded) downloaded)")
        } else {
            lines.append("last pass   never")
        }
        if let since = self.failingSince { lines.append("failing since \(Self.iso(since))") }
        var outbox = "outbox      \(self.outboxPending) pending"
        if let error = self.outboxLastError { outbox += " (last error: \(error))" }
        lines.append(outbox)
        if !self.deadFiles.isEmpty {
            lines.append("dead files:")
            lines += self.deadFiles.map { "  \($0)" }
        }
        if !self.recentErrors.isEmpty {
            lines.append("recent errors:")
            lines += self.recentErrors.map {
                "  \(Self.iso($0.at)) \($0.path) [\($0.state.rawValue), \($0.attempts) attempts] \($0.error)"
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

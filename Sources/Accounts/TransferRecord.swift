import Foundation

/// What a transfer-log record reports: a login, a failed login, or one file operation.
public enum TransferAction: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A user logged in.
    case login
    /// A login was refused.
    case loginFailed = "login-failed"
    /// A file was written.
    case upload
    /// A file was read.
    case download
    /// A file or link was removed.
    case delete
    /// An entry was renamed or moved; the record's ``TransferRecord/targetPath`` is the new path.
    case rename
    /// A directory was created.
    case mkdir
    /// A directory was removed.
    case rmdir
    /// Attributes (permissions, owners, times, size) were changed.
    case setstat
    /// A symbolic link was created; the record's ``TransferRecord/targetPath`` is the link's target.
    case symlink

    /// The raw value, as written in logs.
    public var description: String { self.rawValue }
}

/// One entry of the transfer log: who did what, from where, over which protocol, and how it ended.
///
/// The type has no field for a password or any other secret, so neither it nor its formatted forms
/// (``logfmt()``, ``jsonLine()``) can carry one.
///
/// ``time`` is kept to the millisecond (rounded, between the years 1 and 9999) and ``duration`` to the
/// microsecond, exactly as the stores keep them, so a record reads back equal to the one written.
public struct TransferRecord: Sendable, Hashable {
    /// The store's identifier for the record, or `nil` before it is recorded.
    public var id: Int64?
    /// When the event happened, to the millisecond.
    public var time: Date {
        didSet { self.time = Self.normalized(self.time) }
    }
    /// The login name, as given (it may be an invalid name for a failed login).
    public var user: String
    /// The client's address, such as `127.0.0.1:5555`, when known.
    public var clientAddress: String?
    /// The protocol: `sftp`, `scp`, `ftp`…
    public var protocolName: String
    /// What happened.
    public var action: TransferAction
    /// The path acted on, when the action has one.
    public var path: String?
    /// The second path: a rename's destination or a symbolic link's target.
    public var targetPath: String?
    /// The bytes transferred, for uploads and downloads.
    public var bytes: UInt64?
    /// How long the operation took, to the microsecond.
    public var duration: Duration? {
        didSet { self.duration = self.duration.map(Self.normalized) }
    }
    /// `ok`, or a message saying why the operation failed.
    public var result: String
    /// An identifier of the session the event belongs to.
    public var sessionID: String?

    /// The result of an operation that succeeded.
    public static let ok = "ok"

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - id: The store's identifier; `nil` for a record not yet stored.
    ///   - time: When it happened; rounded to the millisecond.
    ///   - user: The login name.
    ///   - clientAddress: The client's address, if known.
    ///   - protocolName: The protocol, such as `sftp`.
    ///   - action: What happened.
    ///   - path: The path acted on, if any.
    ///   - targetPath: A rename's destination or a link's target, if any.
    ///   - bytes: The bytes transferred, if any.
    ///   - duration: How long it took, if measured; rounded to the microsecond.
    ///   - result: ``ok`` or an error message.
    ///   - sessionID: The session's identifier, if any.
    public init(
        id: Int64? = nil,
        time: Date = Date(),
        user: String,
        clientAddress: String? = nil,
        protocolName: String,
        action: TransferAction,
        path: String? = nil,
        targetPath: String? = nil,
        bytes: UInt64? = nil,
        duration: Duration? = nil,
        result: String = TransferRecord.ok,
        sessionID: String? = nil
    ) {
        self.id = id
        self.time = Self.normalized(time)
        self.user = user
        self.clientAddress = clientAddress
        self.protocolName = protocolName
        self.action = action
        self.path = path
        self.targetPath = targetPath
        self.bytes = bytes
        self.duration = duration.map(Self.normalized)
        self.result = result
        self.sessionID = sessionID
    }

    /// Whether the operation succeeded.
    public var succeeded: Bool { self.result == Self.ok }
}

// MARK: - Milliseconds and microseconds

extension TransferRecord {
    /// Milliseconds since 1970-01-01T00:00:00Z of 0001-01-01T00:00:00Z.
    static let earliestMilliseconds: Int64 = -62_135_596_800_000
    /// Milliseconds since 1970-01-01T00:00:00Z of 9999-12-31T23:59:59.999Z.
    static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// The record's time in whole milliseconds since 1970-01-01T00:00:00Z, as stores keep it.
    public var timeMilliseconds: Int64 {
        Self.milliseconds(of: self.time)
    }

    /// The record's duration in whole microseconds, or `nil` when it has none.
    public var durationMicroseconds: Int64? {
        self.duration.map(Self.microseconds(of:))
    }

    /// The date `milliseconds` after 1970-01-01T00:00:00Z, clamped to the years 1 to 9999.
    ///
    /// - Parameter milliseconds: Milliseconds since the Unix epoch.
    /// - Returns: The date.
    public static func date(milliseconds: Int64) -> Date {
        let clamped = min(max(milliseconds, Self.earliestMilliseconds), Self.latestMilliseconds)
        return Date(timeIntervalSince1970: Double(clamped) / 1000)
    }

    /// Whole milliseconds since 1970-01-01T00:00:00Z, rounded to the nearest and clamped to the years 1 to 9999.
    ///
    /// - Parameter date: A date.
    /// - Returns: The milliseconds.
    public static func milliseconds(of date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite else {
            return value.isNaN ? 0 : (value > 0 ? Self.latestMilliseconds : Self.earliestMilliseconds)
        }
        if value <= Double(Self.earliestMilliseconds) { return Self.earliestMilliseconds }
        if value >= Double(Self.latestMilliseconds) { return Self.latestMilliseconds }
        return Int64(value)
    }

    /// Whole microseconds in `duration`, rounded to the nearest (halves away from zero) and clamped to `Int64`.
    ///
    /// - Parameter duration: A duration.
    /// - Returns: The microseconds.
    public static func microseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let attosecondsPerMicrosecond: Int64 = 1_000_000_000_000
        var fraction = attoseconds / attosecondsPerMicrosecond
        let remainder = attoseconds % attosecondsPerMicrosecond
        if remainder >= attosecondsPerMicrosecond / 2 {
            fraction += 1
        } else if remainder <= -attosecondsPerMicrosecond / 2 {
            fraction -= 1
        }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { return seconds < 0 ? Int64.min : Int64.max }
        let (sum, sumOverflow) = whole.addingReportingOverflow(fraction)
        guard !sumOverflow else { return whole < 0 ? Int64.min : Int64.max }
        return sum
    }

    private static func normalized(_ date: Date) -> Date {
        Self.date(milliseconds: Self.milliseconds(of: date))
    }

    private static func normalized(_ duration: Duration) -> Duration {
        .microseconds(Self.microseconds(of: duration))
    }
}

// MARK: - Codable

extension TransferRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case id
        case time
        case user
        case clientAddress = "client"
        case protocolName = "protocol"
        case action
        case path
        case targetPath = "target"
        case bytes
        case durationMilliseconds = "duration_ms"
        case result
        case sessionID = "session"
    }

    /// Decodes a record; the duration is read as milliseconds (`duration_ms`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let milliseconds = try container.decodeIfPresent(Double.self, forKey: .durationMilliseconds)
        try self.init(
            id: container.decodeIfPresent(Int64.self, forKey: .id),
            time: container.decode(Date.self, forKey: .time),
            user: container.decode(String.self, forKey: .user),
            clientAddress: container.decodeIfPresent(String.self, forKey: .clientAddress),
            protocolName: container.decode(String.self, forKey: .protocolName),
            action: container.decode(TransferAction.self, forKey: .action),
            path: container.decodeIfPresent(String.self, forKey: .path),
            targetPath: container.decodeIfPresent(String.self, forKey: .targetPath),
            bytes: container.decodeIfPresent(UInt64.self, forKey: .bytes),
            duration: milliseconds.map { Self.duration(milliseconds: $0) },
            result: container.decode(String.self, forKey: .result),
            sessionID: container.decodeIfPresent(String.self, forKey: .sessionID)
        )
    }

    /// Encodes a record, leaving out absent fields; the duration is written as milliseconds (`duration_ms`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(self.id, forKey: .id)
        try container.encode(self.time, forKey: .time)
        try container.encode(self.user, forKey: .user)
        try container.encodeIfPresent(self.clientAddress, forKey: .clientAddress)
        try container.encode(self.protocolName, forKey: .protocolName)
        try container.encode(self.action, forKey: .action)
        try container.encodeIfPresent(self.path, forKey: .path)
        try container.encodeIfPresent(self.targetPath, forKey: .targetPath)
        try container.encodeIfPresent(self.bytes, forKey: .bytes)
        try container.encodeIfPresent(
            self.durationMicroseconds.map { Double($0) / 1000 },
            forKey: .durationMilliseconds
        )
        try container.encode(self.result, forKey: .result)
        try container.encodeIfPresent(self.sessionID, forKey: .sessionID)
    }

    /// The duration of `milliseconds` (fractions allowed), to the microsecond.
    ///
    /// - Parameter milliseconds: A number of milliseconds, as stores and JSON keep durations.
    /// - Returns: The duration; zero for a value that is not finite, clamped to `Int64` microseconds.
    public static func duration(milliseconds: Double) -> Duration {
        let microseconds = (milliseconds * 1000).rounded()
        guard microseconds.isFinite else { return .zero }
        if microseconds >= Double(Int64.max) { return .microseconds(Int64.max) }
        if microseconds <= Double(Int64.min) { return .microseconds(Int64.min) }
        return .microseconds(Int64(microseconds))
    }
}

import Events
import Foundation

/// What a mirror pulls, where it puts it and how.
///
/// **Which remote files are taken.** Regular files under ``sourceDirectory`` (and its subdirectories when
/// ``recursive``) whose path relative to it matches an ``include`` pattern (all do when there is none) and no
/// ``exclude`` pattern (see ``MirrorGlob``), that are at least ``minimumAge`` old by their modification time,
/// and that are *settled*: with a ``markerSuffix``, `NAME` is taken once `NAME` + suffix exists next to it;
/// otherwise its size and modification time must stay the same for ``stabilityInterval`` (a pass that meets a
/// new or changed file waits that long and looks again, so `--once` also takes new files). Marker files, names
/// that look like Ferry's partial files and names that would land on the ledger are never downloaded.
///
/// **Where they go.** To the same relative path under ``destinationDirectory``, written first under a hidden
/// partial name in the same directory (``partialName(for:)``) and renamed into place when complete.
public struct MirrorConfiguration: Sendable, Equatable {
    /// What to do on the server once a file is safely downloaded.
    public enum AfterDownload: Sendable, Equatable {
        /// Leave the file (the ledger remembers it).
        case keep
        /// Remove the file (and its marker).
        case delete
        /// Move the file (and its marker) into this remote directory, keeping its relative path.
        case move(to: String)
    }

    /// How often passes run.
    public enum Schedule: Sendable, Equatable {
        /// One pass, then stop.
        case once
        /// A pass every so many seconds (measured from the start of one pass to the start of the next).
        case every(TimeInterval)
    }

    /// The default stability interval: five seconds.
    public static let defaultStabilityInterval: TimeInterval = 5
    /// The default number of failed attempts after which a file is dead: five.
    public static let defaultMaximumAttempts = 5
    /// The ledger's file name inside the destination directory, used when ``ledgerPath`` is nil.
    public static let defaultLedgerName = ".ferry-mirror.sqlite"

    /// The remote directory files come from.
    public var sourceDirectory: String
    /// The local directory they go to (created when missing).
    public var destinationDirectory: String
    /// Once, or every so many seconds.
    public var schedule: Schedule
    /// Whether subdirectories are mirrored too.
    public var recursive: Bool
    /// Patterns a relative path must match one of (none: every path).
    public var include: [MirrorGlob]
    /// Patterns no relative path may match.
    public var exclude: [MirrorGlob]
    /// How old (by modification time) a file must be before it is taken, in seconds.
    public var minimumAge: TimeInterval
    /// How long size and modification time must stay the same before a file is taken, in seconds; 0 takes
    /// files as soon as they are listed. Not used when ``markerSuffix`` is set.
    public var stabilityInterval: TimeInterval
    /// With a suffix such as `.done`, `NAME` is taken only once `NAME.done` exists; markers are never downloaded.
    public var markerSuffix: String?
    /// What happens on the server after a download.
    public var afterDownload: AfterDownload
    /// Failed attempts after which a file is `dead`.
    public var maximumAttempts: Int
    /// The waits between attempts of a file, and between reconnections.
    public var retryBackoff: RetryBackoff
    /// Where `mirror.file.downloaded` events are posted, or nil for none (then none are queued).
    public var webhook: WebhookEndpoint?
    /// The ledger file; nil means ``defaultLedgerName`` in the destination directory.
    public var ledgerPath: String?
    /// Partial files are named prefix + name + suffix, in the final file's directory.
    public var partialPrefix: String
    /// See ``partialPrefix``.
    public var partialSuffix: String

    /// Creates a configuration.
    public init(
        sourceDirectory: String,
        destinationDirectory: String,
        schedule: Schedule = .every(60),
        recursive: Bool = false,
        include: [MirrorGlob] = [],
        exclude: [MirrorGlob] = [],
        minimumAge: TimeInterval = 0,
        stabilityInterval: TimeInterval = MirrorConfiguration.defaultStabilityInterval,
        markerSuffix: String? = nil,
        afterDownload: AfterDownload = .keep,
        maximumAttempts: Int = MirrorConfiguration.defaultMaximumAttempts,
        retryBackoff: RetryBackoff = .standard,
        webhook: WebhookEndpoint? = nil,
        ledgerPath: String? = nil,
        partialPrefix: String = ".",
        partialSuffix: String = ".ferry-partial"
    ) {
        self.sourceDirectory = sourceDirectory
        self.destinationDirectory = destinationDirectory
        self.schedule = schedule
        self.recursive = recursive
        self.include = include
        self.exclude = exclude
        self.minimumAge = minimumAge
        self.stabilityInterval = max(0, stabilityInterval)
        self.markerSuffix = markerSuffix.flatMap { $0.isEmpty ? nil : $0 }
        self.afterDownload = afterDownload
        self.maximumAttempts = max(1, maximumAttempts)
        self.retryBackoff = retryBackoff
        self.webhook = webhook
        self.ledgerPath = ledgerPath
        self.partialPrefix = partialPrefix
        self.partialSuffix = partialSuffix.isEmpty ? ".ferry-partial" : partialSuffix
    }

    /// The ledger file in use.
    public var resolvedLedgerPath: String {
        self.ledgerPath ?? MirrorPaths.join(self.destinationDirectory, Self.defaultLedgerName)
    }

    /// The local partial file for a relative path: the same directory, prefix + name + suffix.
    ///
    /// - Parameter relativePath: The path relative to the source directory.
    /// - Returns: The local path.
    public func partialName(for relativePath: String) -> String {
        let final = self.localPath(for: relativePath)
        let directory = MirrorPaths.directory(of: final)
        return MirrorPaths.join(directory, self.partialPrefix + MirrorPaths.name(of: final) + self.partialSuffix)
    }

    /// The local path a relative path is downloaded to.
    ///
    /// - Parameter relativePath: The path relative to the source directory.
    /// - Returns: The local path.
    public func localPath(for relativePath: String) -> String {
        MirrorPaths.join(self.destinationDirectory, relativePath)
    }

    /// Whether a relative path passes the include and exclude patterns.
    ///
    /// - Parameter relativePath: The path relative to the source directory.
    /// - Returns: True when it is to be mirrored.
    public func selects(_ relativePath: String) -> Bool {
        if !self.include.isEmpty && !self.include.contains(where: { $0.matches(relativePath) }) { return false }
        return !self.exclude.contains(where: { $0.matches(relativePath) })
    }
}

/// A configuration error; its description names the setting at fault.
public struct MirrorConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting (for the seed environment, the variable's name).
    public var setting: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error.
    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    /// `SETTING: problem`.
    public var description: String { "\(self.setting): \(self.problem)" }
}

/// The connection settings of the seed's environment, for the command line to open an SFTP connection with.
public struct MirrorConnectionSettings: Sendable, Equatable, CustomStringConvertible {
    /// `SFTP_HOST`.
    public var host: String
    /// `SFTP_PORT` (22 when unset).
    public var port: Int
    /// `SFTP_USERNAME`.
    public var username: String
    /// `SFTP_PASSWORD`, when set.
    public var password: String?
    /// `PRIVATE_KEY_PATH`, when set.
    public var privateKeyPath: String?

    /// Creates settings.
    public init(host: String, port: Int = 22, username: String, password: String? = nil, privateKeyPath: String? = nil)
    {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.privateKeyPath = privateKeyPath
    }

    /// `user@host:port`, with how the user authenticates; never the password.
    public var description: String {
        var methods: [String] = []
        if self.privateKeyPath != nil { methods.append("key") }
        if self.password != nil { methods.append("password") }
        return
            "\(self.username)@\(self.host):\(self.port) (\(methods.isEmpty ? "no credentials" : methods.joined(separator: ", ")))"
    }
}

/// A configuration and connection read from the seed's environment variables.
public struct MirrorSeedSettings: Sendable, Equatable {
    /// What to mirror.
    public var configuration: MirrorConfiguration
    /// Where from.
    public var connection: MirrorConnectionSettings
}

extension MirrorConfiguration {
    /// Reads the variables of the Paramiko seed: `SFTP_HOST`, `SFTP_PORT` (default 22), `SFTP_USERNAME`,
    /// `SFTP_PASSWORD`, `PRIVATE_KEY_PATH` (one of the two is required), `REMOTE_DIR`, `LOCAL_DIR` and
    /// `DOWNLOAD_INTERVAL` (seconds, default 60). Other settings keep their defaults. Empty values count as
    /// unset.
    ///
    /// - Parameter env: The environment, e.g. `ProcessInfo.processInfo.environment`.
    /// - Returns: The configuration and the connection.
    /// - Throws: ``MirrorConfigurationError`` naming the variable that is missing or wrong.
    public static func fromSeedEnvironment(_ env: [String: String]) throws -> MirrorSeedSettings {
        func value(_ name: String) -> String? {
            guard let text = env[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            return text
        }
        func required(_ name: String) throws -> String {
            guard let text = value(name) else { throw MirrorConfigurationError(setting: name, problem: "is not set") }
            return text
        }
        let host = try required("SFTP_HOST")
        var port = 22
        if let text = value("SFTP_PORT") {
            guard let number = Int(text), (1...65535).contains(number) else {
                throw MirrorConfigurationError(
                    setting: "SFTP_PORT",
                    problem: "'\(text.prefix(20))' is not a port (1-65535)"
                )
            }
            port = number
        }
        let username = try required("SFTP_USERNAME")
        let password = env["SFTP_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let keyPath = value("PRIVATE_KEY_PATH")
        if password == nil && keyPath == nil {
            throw MirrorConfigurationError(
                setting: "SFTP_PASSWORD",
                problem: "is not set, and neither is PRIVATE_KEY_PATH"
            )
        }
        let remote = try required("REMOTE_DIR")
        let local = try required("LOCAL_DIR")
        var interval: TimeInterval = 60
        if let text = value("DOWNLOAD_INTERVAL") {
            guard let seconds = TimeInterval(text), seconds.isFinite, seconds > 0 else {
                throw MirrorConfigurationError(
                    setting: "DOWNLOAD_INTERVAL",
                    problem: "'\(text.prefix(20))' is not a positive number of seconds"
                )
            }
            interval = seconds
        }
        return MirrorSeedSettings(
            configuration: MirrorConfiguration(
                sourceDirectory: remote,
                destinationDirectory: local,
                schedule: .every(interval)
            ),
            connection: MirrorConnectionSettings(
                host: host,
                port: port,
                username: username,
                password: password,
                privateKeyPath: keyPath
            )
        )
    }
}

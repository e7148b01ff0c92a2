import AdminAPI
import ArgumentParser
import Events
import FerryRuntime
import Foundation
import Logging
import Mirror
import SFTPClient
import ServiceLifecycle

struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Pull new files from a remote SFTP folder into a local folder, each exactly once.",
        subcommands: [MirrorRunCommand.self, MirrorStatusCommand.self, MirrorRetryCommand.self],
        defaultSubcommand: MirrorRunCommand.self
    )
}

struct MirrorRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Mirror SOURCE (an sftp:// folder) into DEST, once or on a schedule.",
        discussion: """
            A ledger (DEST/.ferry-mirror.sqlite unless --ledger says otherwise) records every file, so a \
            restart or a crash never fetches a finished file twice and never loses one. A file is taken only \
            once it is stable: the same size and modification time across --stable-for, or once its marker \
            (--marker .done: NAME.done) exists. Each file is written to a hidden temporary name and renamed \
            into place when complete.

            With no SOURCE and DEST, the settings come from SFTP_HOST, SFTP_PORT, SFTP_USERNAME, \
            SFTP_PASSWORD, PRIVATE_KEY_PATH, REMOTE_DIR, LOCAL_DIR and DOWNLOAD_INTERVAL (seconds), the \
            variables of the Paramiko polling container this replaces; the host key is then recorded on first \
            use (accept-new) unless --strict-host-key-checking says otherwise.

            Webhooks: each downloaded file is announced by a JSON POST to --webhook, signed with HMAC-SHA256 \
            (X-Ferry-Signature) when FERRY_WEBHOOK_SECRET or --webhook-secret-file gives a secret, and retried \
            from a durable outbox in the ledger until the receiver accepts it.
            """
    )

    @Argument(help: "The remote folder: sftp://[user@]host[:port]/path or [user@]host:path.")
    var source: String?

    @Argument(help: "The local folder.")
    var destination: String?

    @Option(help: "Run a pass this often (e.g. 10s, 5m, 1h); the default is 60s.")
    var every: String?

    @Flag(help: "Run one pass and stop.")
    var once = false

    @Flag(name: .customShort("r"), help: "Descend into subfolders.")
    var recursive = false

    @Option(
        help: "Only paths matching this glob (relative to SOURCE; * stays within a folder, ** crosses). Repeatable."
    )
    var include: [String] = []

    @Option(help: "Skip paths matching this glob. Repeatable.")
    var exclude: [String] = []

    @Option(help: "Only files whose modification time is at least this old (e.g. 2m).")
    var minAge: String?

    @Option(help: "How long size and modification time must stay unchanged (default 5s; 0 to take files at once).")
    var stableFor: String?

    @Option(help: "Take NAME only once NAME+SUFFIX exists (e.g. .done); the marker itself is not copied.")
    var marker: String?

    @Option(help: "After a download: keep (default), delete, or move:FOLDER on the server.")
    var after: String = "keep"

    @Option(help: "Failed attempts before a file is set aside as dead.")
    var maxAttempts: Int = MirrorConfiguration.defaultMaximumAttempts

    @Option(help: "POST a JSON event to this URL for every downloaded file.")
    var webhook: String?

    @Option(help: "A file holding the webhook signing secret (else FERRY_WEBHOOK_SECRET).")
    var webhookSecretFile: String?

    @Option(help: "The ledger file (default DEST/.ferry-mirror.sqlite).")
    var ledger: String?

    @Option(help: "Serve GET /healthz on this address (e.g. 0.0.0.0:8080) for container health checks.")
    var healthListen: String?

    @Option(help: "Log format: logfmt or json.")
    var logFormat: String = "logfmt"

    @OptionGroup var connection: ClientConnectionOptions

    func validate() throws {
        if self.once && self.every != nil { throw ValidationError("give --every or --once, not both") }
        if (self.source == nil) != (self.destination == nil) {
            throw ValidationError("give both SOURCE and DEST, or neither (to read SFTP_HOST, REMOTE_DIR, LOCAL_DIR…)")
        }
        guard self.maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
    }

    func run() async throws {
        try await runClient {
            let (configuration, location, password, options) = try self.resolve()
            let format: ServeConfiguration.LogFormat = self.logFormat == "json" ? .json : .logfmt
            let level = Logger.Level(rawValue: options.logLevel == "error" ? "info" : options.logLevel) ?? .info
            LoggingSystem.bootstrap { FerryLogHandler(label: $0, format: format, level: level) }
            let logger = Logger(label: "ferry.mirror")
            try FileManager.default.createDirectory(
                atPath: configuration.destinationDirectory,
                withIntermediateDirectories: true
            )
            let ledger = try MirrorLedger(path: configuration.resolvedLedgerPath)
            let connector = SFTPMirrorSourceConnector(description: location.description) {
                try await options.connect(to: location, password: password)
            }
            let delivery = configuration.webhook.map { endpoint in
                OutboxDelivery(
                    store: ledger,
                    transport: WebhookSender(endpoint: endpoint),
                    logger: Logger(label: "ferry.webhook")
                )
            }
            let job = MirrorJob(
                configuration: configuration,
                connector: connector,
                ledger: ledger,
                logger: logger,
                eventQueued: { delivery?.wake() }
            )
            logger.notice(
                "mirror starting",
                metadata: [
                    "source": "\(location)", "destination": "\(configuration.destinationDirectory)",
                    "ledger": "\(configuration.resolvedLedgerPath)",
                    "webhook": "\(configuration.webhook.map { $0.description } ?? "none")",
                ]
            )
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                // In --once mode the job ends by itself; that ends the whole group, not as a failure.
                .init(
                    service: MirrorJobService(job: job, delivery: delivery),
                    successTerminationBehavior: .gracefullyShutdownGroup
                )
            ]
            if let delivery, configuration.schedule != .once {
                services.append(.init(service: OutboxDeliveryService(delivery: delivery)))
            }
            if let healthListen {
                let (host, port) = try Self.hostAndPort(healthListen)
                let tolerance = Self.healthTolerance(configuration.schedule)
                services.append(
                    .init(
                        service: HealthServer.application(host: host, port: port, logger: logger) {
                            guard let status = try? await ledger.status() else {
                                return HealthReport(healthy: false, details: ["error": "the ledger cannot be read"])
                            }
                            return HealthReport(
                                healthy: status.isHealthy(now: Date(), tolerance: tolerance),
                                details: status.healthDetails()
                            )
                        }
                    )
                )
            }
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: services,
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            )
            defer { try? ledger.close() }
            try await group.run()
            if configuration.schedule == .once {
                let status = try await ledger.status()
                if let error = status.lastPassError, status.lastPassSucceeded == false {
                    throw MirrorPassFailure(message: error)
                }
            }
        }
    }

    /// The configuration, where to connect, the password (if any) and the connection options to use.
    func resolve() throws -> (MirrorConfiguration, SFTPLocation, String?, ClientConnectionOptions) {
        var options = self.connection
        options.batch = true
        var password = try options.givenPassword()
        var configuration: MirrorConfiguration
        let location: SFTPLocation
        if let source, let destination {
            location = try SFTPLocation.parse(source)
            configuration = MirrorConfiguration(sourceDirectory: location.path, destinationDirectory: destination)
            configuration.schedule = .every(60)
        } else {
            let seed = try MirrorConfiguration.fromSeedEnvironment(ProcessInfo.processInfo.environment)
            configuration = seed.configuration
            location = SFTPLocation(
                user: seed.connection.username,
                host: seed.connection.host,
                port: seed.connection.port,
                path: configuration.sourceDirectory
            )
            if let key = seed.connection.privateKeyPath { options.identities.append(key) }
            password = password ?? seed.connection.password
            if options.strictHostKeyChecking == nil { options.strictHostKeyChecking = "accept-new" }
        }
        if self.once {
            configuration.schedule = .once
        } else if let every {
            let seconds = try Self.seconds(every, option: "--every")
            guard seconds > 0 else { throw ValidationError("--every must be more than 0s") }
            configuration.schedule = .every(seconds)
        }
        configuration.recursive = configuration.recursive || self.recursive
        configuration.include += self.include.map(MirrorGlob.init)
        configuration.exclude += self.exclude.map(MirrorGlob.init)
        if let minAge { configuration.minimumAge = try Self.seconds(minAge, option: "--min-age") }
        if let stableFor { configuration.stabilityInterval = try Self.seconds(stableFor, option: "--stable-for") }
        if let marker { configuration.markerSuffix = marker }
        configuration.afterDownload = try Self.afterDownload(self.after)
        configuration.maximumAttempts = self.maxAttempts
        if let ledger { configuration.ledgerPath = ledger }
        if let webhook {
            guard webhook.hasPrefix("http://") || webhook.hasPrefix("https://") else {
                throw ValidationError("--webhook must be an http:// or https:// URL")
            }
            var secret: String?
            if let webhookSecretFile {
                secret = String(try Files.read(webhookSecretFile).split(separator: "\n").first ?? "")
            } else {
                secret = Secrets.fromEnvironment("FERRY_WEBHOOK_SECRET")
            }
            configuration.webhook = WebhookEndpoint(url: webhook, secret: secret.map { Array($0.utf8) })
        }
        return (configuration, location, password, options)
    }

    static func afterDownload(_ text: String) throws -> MirrorConfiguration.AfterDownload {
        switch text {
        case "keep": return .keep
        case "delete": return .delete
        case let move where move.hasPrefix("move:") && move.count > 5: return .move(to: String(move.dropFirst(5)))
        default: throw ValidationError("--after takes keep, delete or move:FOLDER, not '\(text)'")
        }
    }

    /// "90", "90s", "5m", "2h", "1d" in seconds.
    static func seconds(_ text: String, option: String) throws -> TimeInterval {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var digits = Substring(text)
        var multiplier = 1.0
        if let last = text.last, let unit = units[last] {
            multiplier = unit
            digits = digits.dropLast()
        }
        guard let value = Double(digits), value >= 0, value.isFinite else {
            throw ValidationError("\(option) takes a duration such as 30s, 5m or 1h, not '\(text)'")
        }
        return value * multiplier
    }

    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--health-listen takes HOST:PORT, such as 0.0.0.0:8080") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// How long passes may keep failing before the health check says so: three intervals, at least a minute.
    static func healthTolerance(_ schedule: MirrorConfiguration.Schedule) -> TimeInterval {
        switch schedule {
        case .once: 60
        case .every(let seconds): max(60, 3 * seconds)
        }
    }
}

struct MirrorPassFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { "the mirror pass failed: \(self.message)" }
}

/// Runs the mirror until a graceful shutdown; in `once` mode, one pass and one delivery attempt of its events.
struct MirrorJobService: Service {
    let job: MirrorJob
    let delivery: OutboxDelivery?

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.job.run()
        }
        await self.job.close()
        if await self.job.configuration.schedule == .once, let delivery {
            _ = try? await delivery.deliverDue(now: Date())
        }
    }
}

/// Delivers queued webhook events until a graceful shutdown.
struct OutboxDeliveryService: Service {
    let delivery: OutboxDelivery

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.delivery.run()
        }
    }
}

struct MirrorStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a mirror's ledger: files by state, the last pass, recent errors, dead files, webhooks waiting."
    )

    @OptionGroup var location: MirrorLedgerLocation

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let (ledger, path) = try self.location.open()
        defer { try? ledger.close() }
        let status = try await ledger.status()
        if self.json {
            print(status.json())
            return
        }
        print("ledger      \(path)")
        if let source = status.source { print("source      \(source)") }
        let order = MirrorFileState.allCases.map(\.rawValue)
        print("files       " + order.map { "\($0) \(status.counts[$0] ?? 0)" }.joined(separator: ", "))
        if let at = status.lastPassAt {
            let result = status.lastPassSucceeded == true ? "ok" : "failed: \(status.lastPassError ?? "")"
            print("last pass   \(Self.iso(at)) (\(result), \(status.lastPassDownloaded) downloaded)")
        } else {
            print("last pass   never")
        }
        if let since = status.failingSince { print("failing     since \(Self.iso(since))") }
        print(
            "webhooks    \(status.outboxPending) waiting"
                + (status.outboxLastError.map { " (last error: \($0))" } ?? "")
        )
        if !status.deadFiles.isEmpty {
            print("dead        \(status.deadFiles.count) (retry with `ferry mirror retry`)")
            for path in status.deadFiles { print("  \(path)") }
        }
        if !status.recentErrors.isEmpty {
            print("recent errors")
            for error in status.recentErrors {
                print(
                    "  \(Self.iso(error.at))  \(error.path)  [\(error.state.rawValue), attempt \(error.attempts)]  \(error.error)"
                )
            }
        }
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}

struct MirrorRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Give dead files (those that failed too often) another set of attempts on the next pass."
    )

    @OptionGroup var location: MirrorLedgerLocation

    @Option(help: "Only this remote path (default: every dead file).")
    var path: String?

    func run() async throws {
        let (ledger, _) = try self.location.open()
        defer { try? ledger.close() }
        let count = try await ledger.retryDead(self.path)
        print("\(count) file\(count == 1 ? "" : "s") will be tried again on the next pass")
    }
}

/// Where an existing mirror's ledger is: `--ledger FILE`, or the one in the mirror's DEST folder.
struct MirrorLedgerLocation: ParsableArguments {
    @Argument(help: "The mirror's local folder (its ledger is DEST/.ferry-mirror.sqlite).")
    var destination: String?

    @Option(help: "The ledger file, if it is not in DEST.")
    var ledger: String?

    /// Opens the ledger; it must exist (opening would otherwise create an empty one).
    func open() throws -> (MirrorLedger, String) {
        guard
            let path = self.ledger
                ?? self.destination.map({ ClientPaths.join($0, MirrorConfiguration.defaultLedgerName) })
        else { throw ValidationError("give the mirror's DEST folder or --ledger") }
        guard FileManager.default.fileExists(atPath: path) else {
            throw failure("ferry: no mirror ledger at \(path)", code: 2)
        }
        return (try MirrorLedger(path: path), path)
    }
}

import ArgumentParser
import FerryRuntime
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve SFTP to many users, each jailed in their own folder.",
        discussion: """
            With no configuration at all it keeps everything in ./ferry-data: host keys (ed25519, ecdsa-p256, \
            rsa-3072, created on first start), the user database and transfer log (ferry.sqlite), and each \
            user's files (home/NAME). It listens on 127.0.0.1:2222. When there is no user yet it creates one and \
            prints its password and the sftp command to connect.

            Settings come from, lowest to highest: built-in defaults, the YAML file given with --config, FERRY_* \
            environment variables (FERRY_LISTEN, FERRY_LIMITS_IDLE_TIMEOUT, …), and the options below. \
            `ferry serve --print-config-example` prints every setting with its default. FERRY_USERS takes \
            atmoz/sftp's "user:pass[:e][:uid[:gid[:dir1,dir2]]]" list (space-separated).

            SIGTERM or SIGINT stops accepting connections and gives open transfers shutdown_grace (30s) to finish.
            """
    )

    @Option(help: "YAML configuration file.")
    var config: String?

    @Option(
        name: .customLong("data-dir"),
        help: "Where keys, the database and users' files live (default ./ferry-data)."
    )
    var dataDirectory: String?

    @Option(help: "Address to listen on, HOST:PORT; repeat or separate with commas for several.")
    var listen: [String] = []

    @Option(help: "Storage for users' files: local, memory or memory-object.")
    var storage: String?

    @Option(name: .customLong("log-format"), help: "Log lines as logfmt or json.")
    var logFormat: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Flag(help: "Print a YAML file with every setting and its default, then exit.")
    var printConfigExample = false

    func run() async throws {
        if self.printConfigExample {
            print(ServeConfiguration.documentedYAML, terminator: "")
            return
        }
        var overrides: [String: String] = [:]
        if let dataDirectory { overrides["data_dir"] = dataDirectory }
        if !self.listen.isEmpty { overrides["listen"] = self.listen.joined(separator: ",") }
        if let storage { overrides["storage.kind"] = storage }
        if let logFormat { overrides["log.format"] = logFormat }
        if let logLevel { overrides["log.level"] = logLevel }
        let configuration: ServeConfiguration
        do {
            configuration = try await ServeConfiguration.load(configFile: self.config, overrides: overrides)
        } catch {
            throw ValidationError("\(error)")
        }
        let format = configuration.log.format
        let level = configuration.log.level
        LoggingSystem.bootstrap { FerryLogHandler(label: $0, format: format, level: level) }
        let logger = Logger(label: "ferry")
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: FerryServeService(configuration: configuration, logger: logger))],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(
                    label: "ferry.lifecycle",
                    factory: { FerryLogHandler(label: $0, format: format, level: .warning) }
                )
            )
        )
        do {
            try await group.run()
        } catch {
            logger.critical("stopped by an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}

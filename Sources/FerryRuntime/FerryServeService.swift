import Foundation
import Logging
import ServiceLifecycle

/// `ferry serve` as a service of a `ServiceGroup`: it starts the server, serves until the group asks for a
/// graceful shutdown (SIGTERM or SIGINT), then stops accepting and lets open transfers finish within
/// `shutdown_grace` before closing what remains.
public struct FerryServeService: Service {
    let configuration: ServeConfiguration
    let environment: [String: String]
    let logger: Logger

    /// Creates the service.
    public init(
        configuration: ServeConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger
    ) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
    }

    public func run() async throws {
        let server = try await FerryServer.start(
            configuration: self.configuration,
            environment: self.environment,
            logger: self.logger
        )
        // Returns on graceful shutdown; throws when the task is cancelled outright, which also ends serving.
        try? await gracefulShutdown()
        await server.shutdown()
    }
}

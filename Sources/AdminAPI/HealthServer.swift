import Foundation
import Hummingbird
import Logging
import NIOCore

/// What a health check reports: healthy or not, with a few facts for whoever is looking.
public struct HealthReport: Sendable, Codable, Equatable {
    public var healthy: Bool
    public var details: [String: String]

    public init(healthy: Bool, details: [String: String] = [:]) {
        self.healthy = healthy
        self.details = details
    }
}

/// A small HTTP server for container health checks: `GET /healthz` (and `/health`) answers 200 with a JSON body
/// when the report is healthy and 503 when it is not. Run it as a service next to the job it watches.
public enum HealthServer {
    /// The application serving the endpoint on `host:port` (port 0 picks a free one; `onListening` receives the
    /// bound port).
    public static func application(
        host: String,
        port: Int,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        report: @escaping @Sendable () async -> HealthReport
    ) -> some ApplicationProtocol {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            let current = await report()
            return Response(
                status: current.healthy ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: Self.json(current)))
            )
        }
        router.get("healthz", use: handler)
        router.get("health", use: handler)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "ferry"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// `{"status":"ok"|"unhealthy", …details}` with keys sorted, so the body is stable.
    static func json(_ report: HealthReport) -> String {
        var fields = report.details
        fields["status"] = report.healthy ? "ok" : "unhealthy"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(fields)) ?? Data(#"{"status":"unhealthy"}"#.utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

// Ferry's SSH server, in process, on a free 127.0.0.1 port: one user ("alice") with a password and
// authorized keys, the built-in "echo" and "discard" subsystems, "process-echo" served by /bin/cat,
// "sftp" served by OpenSSH's sftp-server program, and exec "exit N".

import Foundation
import Logging
import NIOCore
import SSHConnection
import SSHKeys
import SSHServer

final class FerryTestServer: Sendable {
    static let username = "alice"
    static let password = "correct horse battery staple"

    let server: SSHServer
    let hostKeys: [SSHPrivateKey]
    var port: Int { self.server.localAddress?.port ?? 0 }

    private init(server: SSHServer, hostKeys: [SSHPrivateKey]) {
        self.server = server
        self.hostKeys = hostKeys
    }

    /// Starts a server.
    ///
    /// - Parameters:
    ///   - authorizedKeys: public key lines that may log in as alice.
    ///   - hostKeyTypes: the host keys to generate.
    ///   - configure: last changes to the protocol configuration (algorithms, limits).
    static func start(
        authorizedKeys: [String] = [],
        hostKeyTypes: [SSHKeyType] = [.ed25519],
        configure: (inout SSHServerConfiguration) -> Void = { _ in }
    ) async throws -> FerryTestServer {
        let hostKeys = try hostKeyTypes.map { try SSHPrivateKey.generate($0, rsaBits: 2048) }
        var configuration = SSHServerConfiguration(
            connection: SSHConnectionConfiguration(role: .server, hostKeys: hostKeys)
        )
        configuration.failureDelay = .milliseconds(10)
        configure(&configuration)
        let keys = try authorizedKeys.map { try SSHPublicKey(openSSHLine: $0) }
        var logger = Logger(label: "ferry.test.server")
        logger.logLevel = ProcessInfo.processInfo.environment["FERRY_TEST_LOG"] != nil ? .debug : .critical
        let server = try await SSHServer.bind(
            host: "127.0.0.1",
            port: 0,
            configuration: configuration,
            authenticator: TestAuthenticator(keys: keys),
            sessions: TestSessions(),
            logger: logger
        )
        return FerryTestServer(server: server, hostKeys: hostKeys)
    }

    /// known_hosts lines for this server's host keys.
    var knownHostsLines: String {
        self.hostKeys.map { "[127.0.0.1]:\(self.port) \($0.publicKey.openSSHLine(comment: nil))" }
            .joined(separator: "\n") + "\n"
    }

    func stop() async {
        try? await self.server.close()
    }

    /// Waits until every connection has been released (or the timeout passes) and returns how many remain.
    func waitForNoConnections(timeout: Duration = .seconds(10)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while self.server.connectionCount > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return self.server.connectionCount
    }
}

private struct TestAuthenticator: SSHServerAuthenticator {
    let keys: [SSHPublicKey]

    func authenticate(
        _ request: SSHAuthenticationRequest,
        clientAddress: SocketAddress?
    ) async -> SSHAuthenticationResult {
        guard request.username == FerryTestServer.username else { return .failure }
        switch request {
        case .password(_, let password, _):
            return password == FerryTestServer.password ? .success : .failure
        case .publicKey(_, let key, _):
            return self.keys.contains(key) ? .success : .failure
        }
    }
}

private struct TestSessions: SSHSessionHandlerFactory {
    func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)? {
        switch program {
        case .subsystem("echo"): return SSHEchoSession()
        case .subsystem("discard"): return SSHDiscardSession()
        case .subsystem("process-echo"):
            return SSHProcessSession(argv: ["/bin/cat"], environment: [:])
        case .subsystem("sftp"):
            return SSHProcessSession(argv: ["/usr/lib/openssh/sftp-server"], environment: ["PATH": "/usr/bin:/bin"])
        case .exec(let command) where command.hasPrefix("exit "):
            guard let status = Int(command.dropFirst(5)), (0...255).contains(status) else { return nil }
            return SSHProcessSession(argv: ["/bin/sh", "-c", "exit \(status)"], environment: [:])
        default:
            return nil
        }
    }
}

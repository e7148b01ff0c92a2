import Accounts
import FerryCore
import Logging
import NIOCore
import SFTPServer
import SSHServer
import Synchronization
import VFS

/// Starts an SFTP session for each `sftp` subsystem request of an authenticated user: the user's storage,
/// permissions, home and limits, with every event recorded. Anything else (a shell, a command) is refused:
/// Ferry serves files, not logins. OpenSSH's `scp` speaks SFTP by default and works; its legacy protocol
/// (`scp -O`) needs a shell and is refused.
public final class FerrySessions: SSHSessionHandlerFactory {
    let users: AuthenticatedUsers
    let storage: UserStorage
    let limits: VFSLimits
    let recorder: TransferRecorder
    let logger: Logger
    let options: SFTPServerOptions
    private let counter = Atomic<UInt64>(0)
    private let active = Mutex(0)

    /// Creates the factory.
    public init(
        users: AuthenticatedUsers,
        storage: UserStorage,
        limits: VFSLimits,
        recorder: TransferRecorder,
        logger: Logger,
        options: SFTPServerOptions = SFTPServerOptions()
    ) {
        self.users = users
        self.storage = storage
        self.limits = limits
        self.recorder = recorder
        self.logger = logger
        self.options = options
    }

    public func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)? {
        self.makeHandler(
            for: program,
            username: username,
            environment: environment,
            clientAddress: nil,
            eventLoop: eventLoop
        )
    }

    public func makeHandler(
        for program: SSHSessionProgram,
        username: String,
        environment: [String: String],
        clientAddress: SocketAddress?,
        eventLoop: any EventLoop
    ) -> (any SSHSessionHandler)? {
        guard case .subsystem("sftp") = program, let user = self.users.user(named: username) else {
            return nil
        }
        let sessionID = String(self.counter.add(1, ordering: .relaxed).newValue, radix: 36)
        let client = clientAddress?.hostAndPort
        var logger = self.logger
        logger[metadataKey: "user"] = "\(username)"
        logger[metadataKey: "session"] = "\(sessionID)"
        let storage = self.storage
        let limits = self.limits
        let sink = self.recorder.sink(clientAddress: client, protocolName: "sftp", sessionID: sessionID)
        let options = self.options
        let sessionLogger = logger
        self.active.withLock { $0 += 1 }
        return SFTPChannelHandler(logger: logger, ended: { [self] in self.sessionEnded() }) {
            let permissions = try UserPermissions.parse(user.permissions)
            let home = try FerryPath(parsing: user.homeDirectory)
            let vfs = VFSSession(
                user: username,
                mounts: try VFSMountTable(root: VFSMount(storage: try await storage.storage(for: user))),
                permissions: permissions,
                home: home,
                limits: limits,
                events: sink
            )
            return SFTPServerSession(vfs: vfs, options: options, logger: sessionLogger)
        }
    }

    /// The SFTP sessions running now (each has released its handles and uploads when it stops counting).
    public var activeSessions: Int {
        self.active.withLock { $0 }
    }

    /// Waits until every session has ended and cleaned up (its unfinished uploads discarded, its events
    /// recorded), or until `timeout` passes. Used once, at shutdown, so it simply polls.
    ///
    /// - Returns: Whether every session ended in time.
    @discardableResult
    public func waitForSessionsToEnd(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while self.activeSessions > 0 {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    private func sessionEnded() {
        self.active.withLock { $0 -= 1 }
    }
}

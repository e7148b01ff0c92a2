import Accounts
import Foundation
import Logging
import NIOCore
import SSHConnection
import SSHServer
import Synchronization

/// Checks logins against the user store: crypt(3) passwords (checked on a thread pool, compared in constant
/// time, with a decoy check of the same cost for unknown users so timing tells nothing), public keys with their
/// `from=` options, disabled accounts refused. Every decided attempt is recorded, and failures count toward a
/// ban of the address.
public final class FerryAuthenticator: SSHServerAuthenticator {
    let store: any UserStore
    let hasher: PasswordHasher
    let guardian: AddressGuard
    let recorder: TransferRecorder
    let directory: AuthenticatedUsers
    let logger: Logger

    /// Creates an authenticator.
    public init(
        store: any UserStore,
        hasher: PasswordHasher = PasswordHasher(),
        guardian: AddressGuard,
        recorder: TransferRecorder,
        directory: AuthenticatedUsers,
        logger: Logger
    ) {
        self.store = store
        self.hasher = hasher
        self.guardian = guardian
        self.recorder = recorder
        self.directory = directory
        self.logger = logger
    }

    public func authenticate(
        _ request: SSHAuthenticationRequest,
        clientAddress: SocketAddress?
    ) async -> SSHAuthenticationResult {
        let user: User?
        do {
            if UserName.isValid(request.username) {
                user = try await self.store.user(named: UserName(request.username))
            } else {
                user = nil
            }
        } catch {
            self.logger.error("user store unavailable", metadata: ["error": "\(error)"])
            return .failure
        }
        let usable = user.flatMap { $0.isDisabled ? nil : $0 }
        let accepted: Bool
        var counts = true
        switch request {
        case .password(_, let password, _):
            if let hash = usable?.passwordHash {
                accepted = await self.hasher.verify(password, against: hash)
            } else {
                _ = await self.hasher.verifyWithoutHash(password)
                accepted = false
            }
        case .publicKey(_, let key, let isQuery):
            let address = clientAddress?.ipAddress ?? ""
            accepted = usable?.authorizedKeys.contains { $0.key == key && $0.allows(from: address) } ?? false
            if isQuery {
                // Clients offer every key they have; an offer alone is neither a login nor a failure.
                return accepted ? .success : .failure
            }
            counts = !accepted
        }
        let method = if case .password = request { "password" } else { "publickey" }
        let addressText = clientAddress?.hostAndPort
        if accepted, let usable {
            self.guardian.recordAuthenticationSuccess(clientAddress?.ipAddress ?? "")
            self.directory.remember(usable)
            await self.recorder.record(
                TransferRecord(
                    user: usable.name.description,
                    clientAddress: addressText,
                    protocolName: "ssh",
                    action: .login,
                    result: TransferRecord.ok
                )
            )
            return .success
        }
        if counts, let ip = clientAddress?.ipAddress, let ban = self.guardian.recordAuthenticationFailure(ip) {
            self.logger.warning(
                "address banned after repeated failed logins",
                metadata: ["client": "\(ip)", "until": "\(ban)"]
            )
        }
        let reason =
            user == nil
            ? "unknown user"
            : user!.isDisabled ? "account disabled" : "wrong \(method == "password" ? "password" : "key")"
        await self.recorder.record(
            TransferRecord(
                user: String(request.username.prefix(64)),
                clientAddress: addressText,
                protocolName: "ssh",
                action: .loginFailed,
                result: "\(method): \(reason)"
            )
        )
        return .failure
    }
}

/// The users who logged in, as they were when they did, for the session factory (which runs synchronously on
/// the connection's event loop and cannot ask the store).
public final class AuthenticatedUsers: Sendable {
    private let users = Mutex<[String: User]>([:])

    /// Creates an empty directory.
    public init() {}

    func remember(_ user: User) {
        self.users.withLock { $0[user.name.description] = user }
    }

    func user(named name: String) -> User? {
        self.users.withLock { $0[name] }
    }
}

import Accounts
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Users that come from outside the store: atmoz's `user:pass[:e][:uid[:gid[:dirs]]]` list in the environment,
/// and the first user made when there is none.
public enum UserProvisioning {
    /// Creates or updates every user in an atmoz-style list (entries separated by spaces or newlines) and
    /// creates their directories. An entry with an error is skipped and reported by line and position, never
    /// with its password.
    ///
    /// - Returns: How many users were created or updated.
    @discardableResult
    public static func importEnvironmentUsers(
        _ text: String?,
        variable: String,
        into store: any UserStore,
        storage: UserStorage,
        logger: Logger
    ) async throws -> Int {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return 0 }
        let list = AtmozUserList.parse(text)
        for problem in list.errors {
            logger.error(
                "user entry skipped",
                metadata: ["variable": "\(variable)", "entry": "\(problem.entry)", "error": "\(problem.message)"]
            )
        }
        var count = 0
        for entry in list.entries {
            var user = try await entry.makeUser()
            if let existing = try await store.user(named: user.name) {
                user.authorizedKeys = existing.authorizedKeys
                user.permissions = existing.permissions
                user.isDisabled = existing.isDisabled
                user.createdAt = existing.createdAt
                try await store.update(user)
            } else {
                try await store.create(user)
            }
            try await storage.createDirectories(entry.directories, for: user)
            logger.info(
                "user from \(variable)",
                metadata: ["user": "\(user.name)", "directories": "\(entry.directories.count)"]
            )
            count += 1
        }
        return count
    }

    /// Creates the user `ferry` with a random password and returns the notice to show once: the password
    /// and the exact command to connect.
    public static func createFirstUser(
        in store: any UserStore,
        listen: ServeConfiguration.ListenAddress
    ) async throws
        -> String
    {
        let password = Self.randomPassword()
        let name = try UserName("ferry")
        let hash = try await PasswordHasher().hash(password)
        try await store.create(User(name: name, passwordHash: hash))
        let host = listen.host == "0.0.0.0" || listen.host == "::" ? "127.0.0.1" : listen.host
        let target = host.contains(":") ? "[\(host)]" : host
        return """
            No users yet: created user "ferry".
              password (shown once, not stored in clear): \(password)
              connect:  sftp -P \(listen.port) ferry@\(target)
              change it: ferry user passwd ferry    add others: ferry user add NAME
            """
    }

    /// 20 characters from a 57-letter alphabet without look-alikes (about 116 bits).
    static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}

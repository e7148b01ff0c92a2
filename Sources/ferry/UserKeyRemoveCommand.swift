import Accounts
import AccountsSQLite
import ArgumentParser

struct UserKeyRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a public key from a user, by its SHA256 fingerprint as `ferry user show` prints it."
    )

    @Argument(help: "The login name.")
    var name: String

    @Argument(help: "The key's fingerprint, SHA256:….")
    var fingerprint: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            let fingerprint = self.fingerprint.hasPrefix("SHA256:") ? self.fingerprint : "SHA256:" + self.fingerprint
            guard let database = try self.data.openIfPresent() else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
            let store = SQLiteUserStore(database: database)
            var user = try await store.existingUser(name)
            let before = user.authorizedKeys.count
            user.authorizedKeys.removeAll { $0.key.fingerprint == fingerprint }
            guard user.authorizedKeys.count < before else {
                throw CommandFailure("'\(name)' has no key \(fingerprint.prefix(80))")
            }
            try await store.update(user)
            print("removed key \(fingerprint) from '\(name)'")
        }
    }
}

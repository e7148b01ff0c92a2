import Accounts
import AccountsSQLite
import ArgumentParser

struct UserKeyAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Authorize public keys for a user.",
        discussion: """
            FILE is a public key file (OpenSSH .pub or RFC 4716) or authorized_keys lines, options and comments \
            included; - reads standard input.
            """
    )

    @Argument(help: "The login name.")
    var name: String

    @Argument(help: ArgumentHelp("The key file, or - for standard input.", valueName: "file"))
    var file: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            let keys = try AccountArguments.keys(from: self.file)
            guard let database = try self.data.openIfPresent() else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
            let store = SQLiteUserStore(database: database)
            var user = try await store.existingUser(name)
            user.authorizedKeys = try AccountArguments.merge(keys, into: user.authorizedKeys, user: name)
            try await store.update(user)
            for key in keys {
                print("added key \(key.key.fingerprint) to '\(name)'")
            }
        }
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser

struct UserRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a user and their keys (their files stay)."
    )

    @Argument(help: "The login name.")
    var name: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            guard let database = try self.data.openIfPresent() else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
            try await SQLiteUserStore(database: database).delete(named: name)
            print("removed user '\(name)'")
        }
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser

struct UserPasswdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd",
        abstract: "Set or remove a user's password.",
        discussion: "Without --password-stdin or --no-password, the password is asked for twice on the terminal."
    )

    @Argument(help: "The login name.")
    var name: String

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Flag(help: "Remove the password: the user logs in with keys only.")
    var noPassword = false

    @OptionGroup var data: DataDirectoryOptions

    func validate() throws {
        if self.passwordStdin && self.noPassword {
            throw ValidationError("--password-stdin and --no-password exclude each other")
        }
    }

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            if !self.passwordStdin && !self.noPassword {
                try PasswordInput.requireTerminal()
            }
            guard let database = try self.data.openIfPresent() else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
            let store = SQLiteUserStore(database: database)
            var user = try await store.existingUser(name)
            user.passwordHash =
                self.noPassword
                ? nil : try PasswordInput.newPasswordHash(fromStandardInput: self.passwordStdin, user: name)
            try await store.update(user)
            print(self.noPassword ? "removed the password of '\(name)'" : "changed the password of '\(name)'")
        }
    }
}

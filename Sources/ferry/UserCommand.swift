import ArgumentParser

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the users in the data directory's database.",
        discussion: """
            Users live in DATA_DIR/ferry.sqlite, which the server reads; changes take effect at the next login \
            and may be made while the server runs. Passwords are read from the terminal or standard input, \
            never from the command line, and stored as yescrypt hashes.
            """,
        subcommands: [
            UserAddCommand.self, UserListCommand.self, UserShowCommand.self, UserRemoveCommand.self,
            UserPasswdCommand.self, UserKeyCommand.self, UserEnableCommand.self, UserDisableCommand.self,
        ]
    )
}

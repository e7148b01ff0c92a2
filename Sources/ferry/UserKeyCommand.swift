import ArgumentParser

struct UserKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Add or remove a user's public keys.",
        subcommands: [UserKeyAddCommand.self, UserKeyRemoveCommand.self]
    )
}

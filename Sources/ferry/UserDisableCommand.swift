import ArgumentParser

struct UserDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Stop a user from logging in by any method, keeping the account."
    )

    @Argument(help: "The login name.")
    var name: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            try await UserStatus.set(disabled: true, name: self.name, data: self.data)
        }
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser

struct UserEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Let a disabled user log in again."
    )

    @Argument(help: "The login name.")
    var name: String

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            try await UserStatus.set(disabled: false, name: self.name, data: self.data)
        }
    }
}

/// Turning the disabled flag on or off.
enum UserStatus {
    static func set(disabled: Bool, name text: String, data: DataDirectoryOptions) async throws {
        let name = try AccountArguments.userName(text)
        guard let database = try data.openIfPresent() else {
            throw AccountsError(.userNotFound, "no user '\(name)'")
        }
        let store = SQLiteUserStore(database: database)
        var user = try await store.existingUser(name)
        if user.isDisabled != disabled {
            user.isDisabled = disabled
            try await store.update(user)
        }
        print("\(disabled ? "disabled" : "enabled") user '\(name)'")
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser
import Foundation

struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the users, ordered by name."
    )

    @Flag(help: "Print one JSON object per user, one per line.")
    var json = false

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            guard let database = try self.data.openIfPresent() else { return }
            let users = try await SQLiteUserStore(database: database).users()
            if self.json {
                for user in users {
                    print(try UserSummary(user).jsonLine())
                }
                return
            }
            guard !users.isEmpty else { return }
            var rows = [["NAME", "PASSWORD", "KEYS", "STATUS", "HOME"]]
            for user in users {
                rows.append([
                    user.name.string, user.hasPassword ? "set" : "none", String(user.authorizedKeys.count),
                    user.isDisabled ? "disabled" : "enabled", user.homeDirectory,
                ])
            }
            let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let padded = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }
                print(padded.joined(separator: "  "))
            }
        }
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser
import Foundation

struct TransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "Print the transfer log: logins and file operations, oldest first.",
        discussion: """
            One logfmt line per record, or one JSON object per line with --json. Times are UTC. --since takes \
            an ISO 8601 date or time (2026-11-22, 2026-11-22T10:00:00Z; UTC unless an offset is given) or a \
            duration before now (30s, 15m, 2h, 3d, 1w).
            """
    )

    @Option(help: "Only this user's records.")
    var user: String?

    @Option(help: ArgumentHelp("Only records at or after this time.", valueName: "time"))
    var since: String?

    @Option(help: "Only the newest N records.")
    var limit: Int?

    @Flag(help: "Print JSON lines.")
    var json = false

    @OptionGroup var data: DataDirectoryOptions

    func validate() throws {
        if let limit, limit < 0 {
            throw ValidationError("--limit must be 0 or more")
        }
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError(
                "--since '\(since.prefix(40))' is neither an ISO 8601 date or time nor a duration such as 15m, 2h or 3d"
            )
        }
    }

    func run() async throws {
        try await CommandReporting.run {
            guard let database = try self.data.openIfPresent() else { return }
            let query = TransferQuery(
                user: self.user,
                since: self.since.flatMap { Self.parseSince($0, now: Date()) },
                limit: self.limit
            )
            for record in try await SQLiteTransferLog(database: database).records(query) {
                print(self.json ? record.jsonLine() : record.logfmt())
            }
        }
    }

    /// An ISO 8601 date or time, or a duration before `now`: a whole number and `s`, `m`, `h`, `d` or `w`.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let milliseconds = ISO8601Milliseconds.parse(text) {
            return TransferRecord.date(milliseconds: milliseconds)
        }
        guard let unit = text.last, let count = Int(text.dropLast()), count >= 0, text.first?.isNumber == true
        else { return nil }
        let seconds: Int
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        default: return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        guard !overflow else { return nil }
        return now.addingTimeInterval(-TimeInterval(total))
    }
}

import Accounts
import AccountsSQLite
import ArgumentParser
import Foundation
import SSHKeys

struct UserShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a user: password set or not, keys with their fingerprints, home, ids, permissions."
    )

    @Argument(help: "The login name.")
    var name: String

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var data: DataDirectoryOptions

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            guard let database = try self.data.openIfPresent() else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
            let user = try await SQLiteUserStore(database: database).existingUser(name)
            print(self.json ? try UserSummary(user).jsonLine() : UserSummary.text(user))
        }
    }
}

/// What the commands print about a user: never the password hash.
struct UserSummary: Encodable {
    struct Key: Encodable {
        var type: String
        var bits: Int
        var fingerprint: String
        var comment: String?
        var options: String?
    }

    var name: String
    var password: String
    var disabled: Bool
    var home: String
    var uid: UInt32?
    var gid: UInt32?
    var permissions: [String]
    var created: String
    var keys: [Key]

    init(_ user: User) {
        self.name = user.name.string
        self.password = user.hasPassword ? "set" : "none"
        self.disabled = user.isDisabled
        self.home = user.homeDirectory
        self.uid = user.uid
        self.gid = user.gid
        self.permissions = user.permissions
        self.created = Self.timestamp(user.createdAt)
        self.keys = user.authorizedKeys.map {
            Key(
                type: $0.key.type.rawValue,
                bits: $0.key.bits,
                fingerprint: $0.key.fingerprint,
                comment: $0.comment,
                options: Self.options($0)
            )
        }
    }

    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func text(_ user: User) -> String {
        var lines = [
            "name: \(user.name)",
            "password: \(user.hasPassword ? "set" : "none")",
            "status: \(user.isDisabled ? "disabled" : "enabled")",
            "home: \(user.homeDirectory)",
        ]
        if let uid = user.uid { lines.append("uid: \(uid)") }
        if let gid = user.gid { lines.append("gid: \(gid)") }
        lines.append("permissions: \(user.permissions.isEmpty ? "default" : user.permissions.joined(separator: ","))")
        lines.append("created: \(Self.timestamp(user.createdAt))")
        lines.append("keys: \(user.authorizedKeys.count)")
        for key in user.authorizedKeys {
            var line = "  \(key.key.type.rawValue) \(key.key.bits) \(key.key.fingerprint)"
            if let comment = key.comment { line += " \(comment)" }
            if let options = Self.options(key) { line += " [\(options)]" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The key's options as written in authorized_keys, or `nil` when it has none.
    static func options(_ key: AuthorizedKey) -> String? {
        guard !key.options.isEmpty else { return nil }
        var bare = key
        bare.comment = nil
        let line = bare.authorizedKeysLine
        return String(line.dropLast(key.key.openSSHLine(comment: nil).count + 1))
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601Milliseconds.format(milliseconds: TransferRecord.milliseconds(of: date))
    }
}

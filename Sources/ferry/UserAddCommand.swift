import Accounts
import AccountsSQLite
import ArgumentParser
import SSHKeys

struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a user.",
        discussion: """
            Without --password-stdin or --no-password, the password is asked for twice on the terminal. \
            Permissions are a comma-separated list of: \(AccountArguments.permissionNames.joined(separator: ", ")).
            """
    )

    @Argument(help: "The login name.")
    var name: String

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Flag(help: "No password: the user logs in with keys only.")
    var noPassword = false

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp("A public key or authorized_keys file. Repeatable.", valueName: "file")
    )
    var keyFiles: [String] = []

    @Option(help: ArgumentHelp("The directory the user starts in, inside their storage.", valueName: "dir"))
    var home: String = "/"

    @Option(help: "The user id files are owned by.")
    var uid: UInt32?

    @Option(help: "The group id files are owned by.")
    var gid: UInt32?

    @Flag(help: "Only list and download.")
    var readOnly = false

    @Option(help: ArgumentHelp("Comma-separated permissions.", valueName: "list"))
    var permissions: String?

    @OptionGroup var data: DataDirectoryOptions

    func validate() throws {
        if self.passwordStdin && self.noPassword {
            throw ValidationError("--password-stdin and --no-password exclude each other")
        }
        if self.readOnly && self.permissions != nil {
            throw ValidationError("--read-only and --permissions exclude each other")
        }
        if self.passwordStdin && self.keyFiles.contains("-") {
            throw ValidationError("standard input cannot carry both the password and a key")
        }
    }

    func run() async throws {
        try await CommandReporting.run {
            let name = try AccountArguments.userName(self.name)
            guard self.home.hasPrefix("/"), !self.home.utf8.contains(0) else {
                throw CommandFailure("the home directory must be an absolute path, such as /\(name)")
            }
            var permissions: [String] = []
            if self.readOnly {
                permissions = AccountArguments.readOnlyPermissions
            } else if let list = self.permissions {
                permissions = try AccountArguments.permissions(list)
            }
            var keys: [AuthorizedKey] = []
            for file in self.keyFiles {
                keys = try AccountArguments.merge(try AccountArguments.keys(from: file), into: keys, user: name)
            }
            if !self.passwordStdin && !self.noPassword {
                try PasswordInput.requireTerminal()
            }
            let store = SQLiteUserStore(database: try self.data.open())
            // Fail on a taken name before asking for a password.
            if try await store.user(named: name) != nil {
                throw AccountsError(.userExists, "user '\(name)' already exists")
            }
            let passwordHash =
                self.noPassword
                ? nil : try PasswordInput.newPasswordHash(fromStandardInput: self.passwordStdin, user: name)
            let user = User(
                name: name,
                passwordHash: passwordHash,
                authorizedKeys: keys,
                homeDirectory: self.home,
                uid: self.uid,
                gid: self.gid,
                permissions: permissions
            )
            try await store.create(user)
            print("added user '\(name)' (password: \(user.hasPassword ? "set" : "none"), keys: \(keys.count))")
            if !user.hasPassword && keys.isEmpty {
                CommandReporting.printNote(
                    "'\(name)' cannot log in until a key is added: ferry user key add \(name) FILE"
                )
            }
        }
    }
}

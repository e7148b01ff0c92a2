import Accounts
import AccountsSQLite
import ArgumentParser
import FerryRuntime
import Foundation
import SSHKeys
import SSHProtocol
import VFS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--data-dir` option of the commands that use the database, and opening it.
struct DataDirectoryOptions: ParsableArguments {
    /// The data directory when neither `--data-dir` nor `FERRY_DATA_DIR` is given.
    static let defaultDirectory = "ferry-data"

    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The data directory holding ferry.sqlite (default: $FERRY_DATA_DIR, else ./ferry-data).",
            valueName: "dir"
        )
    )
    var dataDirectory: String?

    /// The directory chosen by the option, the environment or the default.
    var directoryURL: URL {
        let path = self.dataDirectory ?? Secrets.fromEnvironment("FERRY_DATA_DIR") ?? Self.defaultDirectory
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Opens the database, creating the directory and the file when they are missing.
    func open() throws -> SQLiteDatabase {
        try SQLiteDatabase.open(dataDirectory: self.directoryURL)
    }

    /// Opens the database when its file exists; `nil` otherwise, so that reading commands create nothing.
    func openIfPresent() throws -> SQLiteDatabase? {
        let url = SQLiteDatabase.databaseURL(dataDirectory: self.directoryURL)
        guard Files.exists(url.path) else { return nil }
        return try SQLiteDatabase(url: url)
    }
}

/// A failure of a command, reported as one line.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Error reporting for the account commands: one line, `error: …`, on standard error, and exit status 1.
enum CommandReporting {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch {
            Self.printError(Self.message(for: error))
            throw ExitCode.failure
        }
    }

    static func message(for error: any Error) -> String {
        switch error {
        case let error as AccountsError: error.message
        case let error as SQLiteStoreError: error.message
        case let error as CommandFailure: error.description
        case let error as Files.Failure: error.description
        default: String(describing: error)
        }
    }

    static func printError(_ message: String) {
        Self.writeStandardError("error: " + message.replacingOccurrences(of: "\n", with: " ") + "\n")
    }

    static func printNote(_ message: String) {
        Self.writeStandardError("note: " + message + "\n")
    }

    private static func writeStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Looking users up, with the command line's error messages.
extension UserStore {
    /// The user called `name`; fails with "no user 'name'" when there is none.
    func existingUser(_ name: UserName) async throws -> User {
        guard let user = try await self.user(named: name) else {
            throw AccountsError(.userNotFound, "no user '\(name)'")
        }
        return user
    }
}

/// Parsing of command-line values shared by the account commands.
enum AccountArguments {
    /// Permission names a user may be given, as the file system layer defines them.
    /// The words `--permissions` takes, for help texts.
    static let permissionNames = ["all", "read-only", "R", "W", "RW"] + VFSPermission.allCases.map(\.rawValue)

    /// What `--read-only` grants.
    static let readOnlyPermissions = ["list", "download"]

    static func userName(_ text: String) throws -> UserName {
        do {
            return try UserName(text)
        } catch {
            throw CommandFailure("invalid user name '\(text.prefix(80))': \(error.message)")
        }
    }

    /// A comma-separated permission list, each word checked with the rules the server applies (see
    /// ``UserPermissions``): names, shortcuts, and `/FOLDER=WORD+WORD` scopes.
    static func permissions(_ list: String) throws -> [String] {
        var permissions: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let word = item.trimmingCharacters(in: .whitespaces)
            do {
                _ = try UserPermissions.parse([word])
            } catch {
                throw CommandFailure("\(error)")
            }
            if !permissions.contains(word) { permissions.append(word) }
        }
        return permissions
    }

    /// Public keys from a file (`-` is standard input): a `.pub` file, an RFC 4716 block or authorized_keys lines.
    static func keys(from source: String) throws -> [AuthorizedKey] {
        let name = source == "-" ? "standard input" : source
        let text: String
        if source == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            text = try Files.read(source)
        }
        if text.contains("PRIVATE KEY-----") {
            throw CommandFailure("\(name) holds a private key; give the public key (the .pub file) instead")
        }
        if text.contains("---- BEGIN SSH2 PUBLIC KEY ----") {
            do {
                return [AuthorizedKey(key: try SSHPublicKey(fileContents: text), line: 1)]
            } catch {
                throw CommandFailure("\(name): \(Self.describe(error))")
            }
        }
        let parsed = AuthorizedKeys.parse(text)
        if let first = parsed.errors.first {
            throw CommandFailure("\(name), line \(first.line): \(first.message)")
        }
        guard !parsed.keys.isEmpty else {
            throw CommandFailure("no public key found in \(name)")
        }
        return parsed.keys
    }

    /// Adds `new` keys to `existing`, refusing a key that is already there.
    static func merge(
        _ new: [AuthorizedKey],
        into existing: [AuthorizedKey],
        user: UserName
    ) throws
        -> [AuthorizedKey]
    {
        var keys = existing
        for key in new {
            guard !keys.contains(where: { $0.key == key.key }) else {
                throw CommandFailure("key \(key.key.fingerprint) is already authorized for '\(user)'")
            }
            keys.append(key)
        }
        return keys
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? SSHError { return error.message }
        return String(describing: error)
    }
}

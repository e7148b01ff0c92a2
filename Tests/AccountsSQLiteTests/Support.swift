import Accounts
import AccountsSQLite
import Foundation
import SSHKeys
import Testing

/// A fresh directory under the system's temporary directory, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        self.url = FileManager.default.temporaryDirectory
            .appendingPathComponent("accounts-sqlite-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: self.url, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(at: self.url)
    }
}

/// The store implementations every conformance check runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqliteFile
    case sqliteInMemory

    var testDescription: String { self.rawValue }

    /// An open database for the SQLite kinds, with the directory that must outlive it.
    func database() throws -> (SQLiteDatabase, TemporaryDirectory?) {
        switch self {
        case .memory:
            preconditionFailure("the memory kind has no database")
        case .sqliteFile:
            let directory = try TemporaryDirectory()
            return (try SQLiteDatabase.open(dataDirectory: directory.url), directory)
        case .sqliteInMemory:
            return (try SQLiteDatabase.inMemory(), nil)
        }
    }

    func userStore() throws -> (any UserStore, TemporaryDirectory?) {
        if self == .memory { return (try InMemoryUserStore(), nil) }
        let (database, directory) = try self.database()
        return (SQLiteUserStore(database: database), directory)
    }

    func transferLog() throws -> (any TransferLog, TemporaryDirectory?) {
        if self == .memory { return (InMemoryTransferLog(), nil) }
        let (database, directory) = try self.database()
        return (SQLiteTransferLog(database: database), directory)
    }
}

/// Public keys made once per test run.
enum TestKeys {
    static let ed25519 = try! SSHPrivateKey.generate(.ed25519).publicKey
    static let ecdsa = try! SSHPrivateKey.generate(.ecdsaP384).publicKey
    static let rsa = try! SSHPrivateKey.generate(.rsa, rsaBits: 2048).publicKey

    /// An authorized_keys file with options, quoted values, comments with spaces and a key without a comment.
    static var authorizedKeysText: String {
        """
        # keys for alice
        \(Self.ed25519.openSSHLine(comment: "alice@laptop"))
        no-pty,command="/bin/echo \\"hi there\\", ok",from="10.0.0.0/8,!10.1.*" \(Self.ecdsa.openSSHLine(comment: "ci key 2"))

        restrict,PTY,expiry-time="20991231Z",environment="A=b\\c" \(Self.rsa.openSSHLine(comment: nil))
        """
    }

    static func parsedKeys() throws -> [AuthorizedKey] {
        let parsed = AuthorizedKeys.parse(Self.authorizedKeysText)
        guard parsed.errors.isEmpty, parsed.keys.count == 3 else {
            throw TestFailure("the test keys do not parse: \(parsed.errors)")
        }
        return parsed.keys
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A time in whole milliseconds, as the stores keep it.
func time(_ milliseconds: Int64) -> Date {
    TransferRecord.date(milliseconds: milliseconds)
}

import Accounts
import AccountsSQLite
import Foundation
import SSHKeys
import Testing

@Suite("SQLite database")
struct SQLiteDatabaseTests {
    @Test("the file is DATA_DIR/ferry.sqlite, created 0600 in a 0700 directory")
    func locationAndModes() async throws {
        let temporary = try TemporaryDirectory()
        let dataDirectory = temporary.url.appendingPathComponent("data/nested", isDirectory: true)
        let url = SQLiteDatabase.databaseURL(dataDirectory: dataDirectory)
        #expect(url.lastPathComponent == "ferry.sqlite")
        #expect(url.deletingLastPathComponent().standardizedFileURL == dataDirectory.standardizedFileURL)

        let database = try SQLiteDatabase.open(dataDirectory: dataDirectory)
        #expect(database.url == url)
        try await SQLiteUserStore(database: database).create(User(name: try UserName("alice")))
        let fileMode = try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
        let directoryMode =
            try FileManager.default.attributesOfItem(atPath: dataDirectory.path)[.posixPermissions]
            as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)
        let wal = try FileManager.default.attributesOfItem(atPath: url.path + "-wal")[.posixPermissions] as? Int
        #expect(wal == 0o600)
        #expect(try await database.appliedMigrations() == ["v1 users and their keys", "v1 transfer log"])
    }

    @Test("users and records survive closing and reopening the file")
    func persistence() async throws {
        let temporary = try TemporaryDirectory()
        let alice = try UserStoreConformance.fullUser("alice")
        let record = TransferRecord(
            time: time(1_795_341_600_123),
            user: "alice",
            clientAddress: "127.0.0.1:5555",
            protocolName: "sftp",
            action: .upload,
            path: "/in/a b.txt",
            bytes: 1_048_576,
            duration: .microseconds(12_500),
            sessionID: "s1"
        )
        do {
            let database = try SQLiteDatabase.open(dataDirectory: temporary.url)
            try await SQLiteUserStore(database: database).create(alice)
            try await SQLiteTransferLog(database: database).record(record)
            try database.close()
        }
        let reopened = try SQLiteDatabase.open(dataDirectory: temporary.url)
        #expect(try await SQLiteUserStore(database: reopened).users() == [alice])
        let records = try await SQLiteTransferLog(database: reopened).records(TransferQuery())
        #expect(TransferLogConformance.withoutIDs(records) == [record])
        // Migrations do not run twice.
        #expect(try await reopened.appliedMigrations().count == 2)
    }

    @Test("two pools on one file: what one writes, the other reads")
    func twoPools() async throws {
        let temporary = try TemporaryDirectory()
        let url = SQLiteDatabase.databaseURL(dataDirectory: temporary.url)
        let first = try SQLiteDatabase(url: url)
        let second = try SQLiteDatabase(url: url)
        let firstUsers = SQLiteUserStore(database: first)
        let secondUsers = SQLiteUserStore(database: second)

        #expect(try await secondUsers.users().isEmpty)
        try await firstUsers.create(try UserStoreConformance.fullUser("alice"))
        #expect(try await secondUsers.user(named: UserName("alice")) == (try UserStoreConformance.fullUser("alice")))

        var changed = try UserStoreConformance.fullUser("alice")
        changed.isDisabled = true
        try await secondUsers.update(changed)
        #expect(try await firstUsers.user(named: UserName("alice"))?.isDisabled == true)

        await #expect(throws: AccountsError(.userExists, "user 'alice' already exists")) {
            try await secondUsers.create(try UserStoreConformance.plainUser("alice"))
        }

        try await SQLiteTransferLog(database: first).record(TransferLogConformance.record("alice", at: 1))
        #expect(try await SQLiteTransferLog(database: second).records(TransferQuery()).count == 1)
    }

    @Test("the same name created through two pools at once: exactly one wins")
    func racingCreates() async throws {
        let temporary = try TemporaryDirectory()
        let url = SQLiteDatabase.databaseURL(dataDirectory: temporary.url)
        let stores = [
            SQLiteUserStore(database: try SQLiteDatabase(url: url)),
            SQLiteUserStore(database: try SQLiteDatabase(url: url)),
        ]
        for round in 0..<20 {
            let name = try UserName("user\(round)")
            let outcomes = await withTaskGroup(of: AccountsError.Code?.self) { group in
                for store in stores {
                    group.addTask {
                        do {
                            try await store.create(User(name: name))
                            return nil
                        } catch {
                            return (error as? AccountsError)?.code ?? AccountsError.Code.invalidUserName
                        }
                    }
                }
                var outcomes: [AccountsError.Code?] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            #expect(outcomes.filter { $0 == nil }.count == 1, "round \(round): \(outcomes)")
            #expect(outcomes.filter { $0 == .userExists }.count == 1, "round \(round): \(outcomes)")
        }
        #expect(try await stores[0].users().count == 20)
    }

    @Test("creation dates are kept to the millisecond")
    func createdAtPrecision() async throws {
        let store = SQLiteUserStore(database: try SQLiteDatabase.inMemory())
        try await store.create(
            User(name: try UserName("alice"), createdAt: Date(timeIntervalSince1970: 1_700_000_000.123_456))
        )
        let read = try #require(try await store.user(named: UserName("alice")))
        #expect(read.createdAt == time(1_700_000_000_123))
    }

    @Test("a key that no authorized_keys line can carry is refused, and nothing is stored")
    func unstorableKey() async throws {
        let store = SQLiteUserStore(database: try SQLiteDatabase.inMemory())
        var user = User(name: try UserName("alice"))
        user.authorizedKeys = [AuthorizedKey(key: TestKeys.ed25519, comment: "two\nlines")]
        await #expect(throws: SQLiteStoreError.self) {
            try await store.create(user)
        }
        #expect(try await store.users().isEmpty)
    }

    @Test("opening a path that cannot be a database fails with a clear error")
    func openFailure() throws {
        let temporary = try TemporaryDirectory()
        let missing = temporary.url.appendingPathComponent("no/such/dir/ferry.sqlite")
        #expect {
            _ = try SQLiteDatabase(url: missing)
        } throws: { error in
            "\(error)".contains("cannot open the database") && "\(error)".contains(missing.path)
        }
        let notADatabase = temporary.url.appendingPathComponent("text")
        try Data("this is not a database, just text long enough to fill a header.....................".utf8)
            .write(to: notADatabase)
        #expect(throws: SQLiteStoreError.self) {
            _ = try SQLiteDatabase(url: notADatabase)
        }
    }
}

@Suite("authorized_keys lines")
struct AuthorizedKeyLineTests {
    @Test("formatting then parsing gives the same entries")
    func roundTrip() throws {
        let keys = try TestKeys.parsedKeys()
        for key in keys {
            var reparsed = AuthorizedKeys.parse(key.authorizedKeysLine).keys
            #expect(reparsed.count == 1)
            reparsed[0].line = key.line
            #expect(reparsed == [key])
        }
    }

    @Test("golden lines")
    func golden() throws {
        let base64 = TestKeys.ed25519.openSSHLine(comment: nil)
        #expect(AuthorizedKey(key: TestKeys.ed25519).authorizedKeysLine == base64)
        #expect(AuthorizedKey(key: TestKeys.ed25519, comment: "a b").authorizedKeysLine == base64 + " a b")
        let entry = AuthorizedKey(
            options: [
                .init(name: "no-pty"), .init(name: "command", value: #"say "hi", \"x\""#),
                .init(name: "from", value: "10.0.0.0/8"),
            ],
            key: TestKeys.ed25519,
            comment: "me"
        )
        #expect(
            entry.authorizedKeysLine == #"no-pty,command="say \"hi\", \\"x\\"",from="10.0.0.0/8" "# + base64 + " me"
        )
        let reparsed = try #require(AuthorizedKeys.parse(entry.authorizedKeysLine).keys.first)
        #expect(reparsed.options == entry.options)
    }
}

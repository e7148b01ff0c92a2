import Accounts
import Foundation
import GRDB
import SSHKeys

/// A ``UserStore`` in the SQLite database (tables `users` and `user_keys`, see ``SQLiteSchema``).
///
/// Every field of `User` is kept; `createdAt` to the millisecond. Each authorized key is stored as its
/// OpenSSH `authorized_keys` line, with its options and comment. Name uniqueness is enforced by the schema,
/// so two processes adding the same user at once cannot both succeed.
public struct SQLiteUserStore: UserStore {
    private let database: SQLiteDatabase

    /// Creates a store over an open database.
    ///
    /// - Parameter database: The database.
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// Looks a user up by name; `nil` when there is none.
    ///
    /// - Throws: ``SQLiteStoreError`` on database failures or unreadable rows.
    public func user(named name: UserName) async throws -> User? {
        try await self.database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name.string])
            else { return nil }
            let keys = try Row.fetchAll(
                db,
                sql: "SELECT line, source_line FROM user_keys WHERE user_id = ? ORDER BY position",
                arguments: [row["id"] as Int64]
            )
            return try Self.decodeUser(row, keys: keys)
        }
    }

    /// Every user, ordered by name (byte-wise, as `UserName` orders).
    ///
    /// - Throws: ``SQLiteStoreError`` on database failures or unreadable rows.
    public func users() async throws -> [User] {
        try await self.database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name")
            var keysByUser: [Int64: [Row]] = [:]
            for key in try Row.fetchAll(
                db,
                sql: "SELECT user_id, line, source_line FROM user_keys ORDER BY user_id, position"
            ) {
                keysByUser[key["user_id"], default: []].append(key)
            }
            return try rows.map { row in
                try Self.decodeUser(row, keys: keysByUser[row["id"] as Int64] ?? [])
            }
        }
    }

    /// Adds a user.
    ///
    /// - Throws: `AccountsError` with code `userExists` when the name is taken; ``SQLiteStoreError`` on
    ///   database failures.
    public func create(_ user: User) async throws {
        let columns = try Self.columns(of: user)
        try await self.database.write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO users
                            (name, password_hash, home_directory, uid, gid, permissions, is_disabled, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: columns
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw AccountsError(.userExists, "user '\(user.name)' already exists")
            }
            try Self.insertKeys(user.authorizedKeys, userID: db.lastInsertedRowID, db)
        }
    }

    /// Replaces a user, matched by name, keys included.
    ///
    /// - Throws: `AccountsError` with code `userNotFound` when there is none by that name; ``SQLiteStoreError``
    ///   on database failures.
    public func update(_ user: User) async throws {
        let columns = try Self.columns(of: user)
        try await self.database.write { db in
            guard
                let id = try Int64.fetchOne(
                    db,
                    sql: "SELECT id FROM users WHERE name = ?",
                    arguments: [user.name.string]
                )
            else {
                throw AccountsError(.userNotFound, "no user '\(user.name)'")
            }
            var arguments = columns
            arguments += [id]
            try db.execute(
                sql: """
                    UPDATE users
                    SET name = ?, password_hash = ?, home_directory = ?, uid = ?, gid = ?, permissions = ?,
                        is_disabled = ?, created_at = ?
                    WHERE id = ?
                    """,
                arguments: arguments
            )
            try db.execute(sql: "DELETE FROM user_keys WHERE user_id = ?", arguments: [id])
            try Self.insertKeys(user.authorizedKeys, userID: id, db)
        }
    }

    /// Removes a user and their keys.
    ///
    /// - Throws: `AccountsError` with code `userNotFound` when there is none by that name; ``SQLiteStoreError``
    ///   on database failures.
    public func delete(named name: UserName) async throws {
        try await self.database.write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name.string])
            guard db.changesCount > 0 else {
                throw AccountsError(.userNotFound, "no user '\(name)'")
            }
        }
    }

    // MARK: - Rows

    /// The `users` columns in insertion order: name, password_hash, home_directory, uid, gid, permissions,
    /// is_disabled, created_at.
    private static func columns(of user: User) throws -> StatementArguments {
        let permissions: String
        do {
            permissions = String(decoding: try JSONEncoder().encode(user.permissions), as: UTF8.self)
        } catch {
            throw SQLiteStoreError("cannot encode the permissions of user '\(user.name)': \(error)")
        }
        return [
            user.name.string,
            user.passwordHash,
            user.homeDirectory,
            user.uid.map { Int64($0) },
            user.gid.map { Int64($0) },
            permissions,
            user.isDisabled,
            TransferRecord.milliseconds(of: user.createdAt),
        ]
    }

    private static func insertKeys(_ keys: [AuthorizedKey], userID: Int64, _ db: Database) throws {
        for (position, key) in keys.enumerated() {
            // A key built in code (not parsed) could hold what no authorized_keys line can carry, such as a
            // newline in its comment: refuse it rather than store a line that reads back differently.
            var check = AuthorizedKeys.parse(key.authorizedKeysLine).keys
            for index in check.indices {
                check[index].line = key.line
            }
            guard check == [key] else {
                throw SQLiteStoreError("key \(key.key.fingerprint) cannot be written as an authorized_keys line")
            }
            try db.execute(
                sql: "INSERT INTO user_keys (user_id, position, line, source_line) VALUES (?, ?, ?, ?)",
                arguments: [userID, position, key.authorizedKeysLine, key.line]
            )
        }
    }

    private static func decodeUser(_ row: Row, keys: [Row]) throws -> User {
        let nameText: String = row["name"]
        let name = try UserName(nameText)
        let permissionsText: String = row["permissions"]
        let permissions: [String]
        do {
            permissions = try JSONDecoder().decode([String].self, from: Data(permissionsText.utf8))
        } catch {
            throw SQLiteStoreError("the permissions of user '\(name)' are not a JSON array of strings")
        }
        let uid: Int64? = row["uid"]
        let gid: Int64? = row["gid"]
        return User(
            name: name,
            passwordHash: row["password_hash"],
            authorizedKeys: try keys.map { try Self.decodeKey($0, user: name) },
            homeDirectory: row["home_directory"],
            uid: try uid.map { try Self.decodeID($0, "uid", user: name) },
            gid: try gid.map { try Self.decodeID($0, "gid", user: name) },
            permissions: permissions,
            isDisabled: row["is_disabled"],
            createdAt: TransferRecord.date(milliseconds: row["created_at"])
        )
    }

    private static func decodeID(_ value: Int64, _ column: String, user: UserName) throws -> UInt32 {
        guard let id = UInt32(exactly: value) else {
            throw SQLiteStoreError("the \(column) of user '\(user)' is out of range")
        }
        return id
    }

    private static func decodeKey(_ row: Row, user: UserName) throws -> AuthorizedKey {
        let line: String = row["line"]
        let parsed = AuthorizedKeys.parse(line)
        guard parsed.keys.count == 1, parsed.errors.isEmpty, var key = parsed.keys.first else {
            let reason = parsed.errors.first?.message ?? "expected exactly one key"
            throw SQLiteStoreError("a stored key of user '\(user)' cannot be read: \(reason)")
        }
        key.line = row["source_line"]
        return key
    }
}

import GRDB

/// The database schema, all of it, applied by named migrations in order. A migration, once released, never
/// changes; later changes are new migrations appended to ``migrationNames``.
///
/// Conventions: times are whole milliseconds since 1970-01-01T00:00:00Z (UTC) in `INTEGER` columns; tables are
/// `STRICT` (SQLite 3.37 or later), so a value of the wrong type is refused rather than stored.
///
/// **`users`** — one row per account (`Accounts.User`).
///
/// | column | type | meaning |
/// |---|---|---|
/// | `id` | INTEGER PRIMARY KEY | internal row id, referenced by `user_keys` |
/// | `name` | TEXT NOT NULL UNIQUE | login name; uniqueness is enforced here, compared byte-wise (case-sensitive) |
/// | `password_hash` | TEXT | crypt(3) hash, NULL for key-only accounts |
/// | `home_directory` | TEXT NOT NULL | starting directory inside the user's storage |
/// | `uid`, `gid` | INTEGER | owning ids (0…4294967295), NULL when not mapped |
/// | `permissions` | TEXT NOT NULL | JSON array of permission names, `[]` when none |
/// | `is_disabled` | INTEGER NOT NULL | 1 when the account may not log in, else 0 |
/// | `created_at` | INTEGER NOT NULL | creation time, milliseconds since the epoch |
///
/// **`user_keys`** — the user's public keys, each as its OpenSSH `authorized_keys` line; removed with the user.
///
/// | column | type | meaning |
/// |---|---|---|
/// | `user_id` | INTEGER NOT NULL | `users.id`, ON DELETE CASCADE |
/// | `position` | INTEGER NOT NULL | 0-based order of the key; (`user_id`, `position`) is the primary key |
/// | `line` | TEXT NOT NULL | `[options] type base64 [comment]` |
/// | `source_line` | INTEGER NOT NULL | the line number the key had in the file it came from |
///
/// **`transfers`** — the transfer log (`Accounts.TransferRecord`), append-only.
///
/// | column | type | meaning |
/// |---|---|---|
/// | `id` | INTEGER PRIMARY KEY AUTOINCREMENT | record id; never reused, also after old rows are deleted |
/// | `time` | INTEGER NOT NULL | milliseconds since the epoch; indexed, alone and after `user` |
/// | `user` | TEXT NOT NULL | login name as given |
/// | `client_address` | TEXT | `host:port` of the client |
/// | `protocol` | TEXT NOT NULL | `sftp`, `scp`, `ftp`… |
/// | `action` | TEXT NOT NULL | a `TransferAction` raw value |
/// | `path`, `target_path` | TEXT | the path, and a rename's destination or a link's target |
/// | `bytes` | INTEGER | bytes transferred; the bit pattern of the unsigned value (above 2⁶³−1 it reads negative) |
/// | `duration_ms` | REAL | duration in milliseconds, to the microsecond |
/// | `result` | TEXT NOT NULL | `ok` or an error message |
/// | `session_id` | TEXT | the session's identifier |
enum SQLiteSchema {
    /// The migrations, by name, in the order they run.
    static let migrationNames = ["v1 users and their keys", "v1 transfer log"]

    /// The migrator that brings a database to the current schema.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Self.migrationNames[0]) { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        password_hash TEXT,
                        home_directory TEXT NOT NULL,
                        uid INTEGER CHECK (uid BETWEEN 0 AND 4294967295),
                        gid INTEGER CHECK (gid BETWEEN 0 AND 4294967295),
                        permissions TEXT NOT NULL DEFAULT '[]',
                        is_disabled INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE TABLE user_keys (
                        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        line TEXT NOT NULL,
                        source_line INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (user_id, position)
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration(Self.migrationNames[1]) { db in
            try db.execute(
                sql: """
                    CREATE TABLE transfers (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        time INTEGER NOT NULL,
                        user TEXT NOT NULL,
                        client_address TEXT,
                        protocol TEXT NOT NULL,
                        action TEXT NOT NULL,
                        path TEXT,
                        target_path TEXT,
                        bytes INTEGER,
                        duration_ms REAL,
                        result TEXT NOT NULL,
                        session_id TEXT
                    ) STRICT;
                    CREATE INDEX transfers_by_time ON transfers (time);
                    CREATE INDEX transfers_by_user_and_time ON transfers (user, time);
                    """
            )
        }
        return migrator
    }()
}

import GRDB

/// The ledger's schema, applied by named migrations in order; a released migration never changes.
///
/// Times are whole milliseconds since 1970 (UTC) in `INTEGER` columns, modification times whole seconds, sizes
/// the bit pattern of the unsigned value. Tables are `STRICT`.
///
/// **`mirror_files`** — one row per remote path ever selected.
///
/// | column | meaning |
/// |---|---|
/// | `remote_path` | the full remote path, unique |
/// | `relative_path` | the path relative to the source directory (and to the destination) |
/// | `size`, `mtime` | the version the state is about: being waited for, downloaded, done or dead |
/// | `state` | a ``MirrorFileState`` raw value |
/// | `attempts` | failed attempts of this version |
/// | `last_error` | why the latest attempt (or the after-download action) failed |
/// | `first_seen_at` | the first listing that showed the path |
/// | `observed_size`, `observed_mtime`, `stable_since` | the latest listing's values and since when they hold |
/// | `next_attempt_at` | not to be tried before (NULL: at once) |
/// | `local_path` | where it was (or is being) downloaded |
/// | `staged_sha256` | the complete partial's digest, written just before it is renamed into place |
/// | `sha256`, `completed_at` | the done version's digest and completion time |
/// | `after_download_pending` | 1 while the delete or move on the server is still to be done |
/// | `version` | 1 for the first version of the path, +1 for each changed version |
/// | `updated_at` | the latest change of the row |
///
/// **`outbox`** — events waiting to be delivered (``Events/OutboxStore``); delivered rows are kept seven days.
///
/// **`mirror_runs`** — one row (`id` 1): the latest pass and since when passes fail.
enum MirrorLedgerSchema {
    static let migrationNames = ["v1 mirror files, outbox and runs"]

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(Self.migrationNames[0]) { db in
            try db.execute(
                sql: """
                    CREATE TABLE mirror_files (
                        id INTEGER PRIMARY KEY,
                        remote_path TEXT NOT NULL UNIQUE,
                        relative_path TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        mtime INTEGER NOT NULL,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'downloading', 'done', 'dead')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_error TEXT,
                        first_seen_at INTEGER NOT NULL,
                        observed_size INTEGER NOT NULL,
                        observed_mtime INTEGER NOT NULL,
                        stable_since INTEGER NOT NULL,
                        next_attempt_at INTEGER,
                        local_path TEXT,
                        staged_sha256 TEXT,
                        sha256 TEXT,
                        completed_at INTEGER,
                        after_download_pending INTEGER NOT NULL DEFAULT 0 CHECK (after_download_pending IN (0, 1)),
                        version INTEGER NOT NULL DEFAULT 1,
                        updated_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX mirror_files_by_state ON mirror_files (state);
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event TEXT NOT NULL,
                        body BLOB NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        next_attempt_at INTEGER NOT NULL,
                        last_error TEXT,
                        delivered_at INTEGER
                    ) STRICT;
                    CREATE INDEX outbox_waiting ON outbox (id) WHERE delivered_at IS NULL;
                    CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;
                    CREATE TABLE mirror_runs (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        source TEXT,
                        last_pass_started_at INTEGER,
                        last_pass_finished_at INTEGER,
                        last_pass_ok INTEGER,
                        last_pass_error TEXT,
                        last_pass_downloaded INTEGER NOT NULL DEFAULT 0,
                        last_success_at INTEGER,
                        failing_since INTEGER
                    ) STRICT;
                    INSERT INTO mirror_runs (id) VALUES (1);
                    """
            )
        }
        return migrator
    }()
}

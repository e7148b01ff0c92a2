import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded SQLite database that holds users and the transfer log: one file, `ferry.sqlite`, in the data
/// directory, shared by the server and the `ferry user` and `ferry transfers` commands.
///
/// A file database is opened in WAL mode through a connection pool, so readers never block the writer, and
/// with a busy timeout of ``busyTimeout``, so a command can change users while the server runs. A new file is
/// created with mode 0600 (SQLite gives its `-wal` and `-shm` files the same mode). Opening runs the schema
/// migrations (see ``SQLiteSchema``) that have not run yet.
public struct SQLiteDatabase: Sendable {
    /// The name of the database file inside the data directory.
    public static let fileName = "ferry.sqlite"

    /// How long an operation waits for another connection's write lock before it fails.
    public static let busyTimeout: TimeInterval = 5

    /// The file, or `nil` for an in-memory database.
    public let url: URL?

    /// The connection (a pool for files, a single connection in memory).
    let writer: any DatabaseWriter

    /// The database file in a data directory: `DATA_DIR/ferry.sqlite`.
    ///
    /// - Parameter dataDirectory: The data directory.
    /// - Returns: The file's URL.
    public static func databaseURL(dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent(Self.fileName, isDirectory: false)
    }

    /// Opens (creating them when missing) the data directory, with mode 0700, and the database in it.
    ///
    /// - Parameter dataDirectory: The data directory.
    /// - Returns: The open database.
    /// - Throws: ``SQLiteStoreError`` when the directory or the database cannot be created or opened.
    public static func open(dataDirectory: URL) throws -> SQLiteDatabase {
        do {
            try FileManager.default.createDirectory(
                at: dataDirectory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        } catch {
            throw SQLiteStoreError("cannot create the data directory \(dataDirectory.path): \(Self.reason(error))")
        }
        return try SQLiteDatabase(url: Self.databaseURL(dataDirectory: dataDirectory))
    }

    /// Opens a database file, creating it with mode 0600 when it does not exist; its directory must exist.
    ///
    /// - Parameter url: The database file.
    /// - Throws: ``SQLiteStoreError`` when the file cannot be created, opened or migrated.
    public init(url: URL) throws {
        let path = url.path
        try PrivateFile.create(path)
        var configuration = Self.configuration()
        configuration.label = "ferry.sqlite"
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            self.writer = pool
        } catch {
            throw SQLiteStoreError("cannot open the database \(path): \(Self.reason(error))")
        }
        self.url = url
    }

    /// Opens a private in-memory database with the same schema, which disappears with its last reference.
    ///
    /// - Returns: The database.
    /// - Throws: ``SQLiteStoreError`` when SQLite fails.
    public static func inMemory() throws -> SQLiteDatabase {
        do {
            let queue = try DatabaseQueue(configuration: Self.configuration())
            try SQLiteSchema.migrator.migrate(queue)
            return SQLiteDatabase(writer: queue, url: nil)
        } catch {
            throw SQLiteStoreError("cannot create an in-memory database: \(Self.reason(error))")
        }
    }

    private init(writer: any DatabaseWriter, url: URL?) {
        self.writer = writer
        self.url = url
    }

    /// Closes the connections; operations after this fail. Closing is also done when the last copy goes away.
    ///
    /// - Throws: ``SQLiteStoreError`` when a connection cannot be closed (for instance while in use).
    public func close() throws {
        do {
            try self.writer.close()
        } catch {
            throw SQLiteStoreError("cannot close the database: \(Self.reason(error))")
        }
    }

    /// The names of the schema migrations applied to the database, in order.
    ///
    /// - Returns: The names.
    /// - Throws: ``SQLiteStoreError`` when SQLite fails.
    public func appliedMigrations() async throws -> [String] {
        try await self.read { db in
            let applied = try SQLiteSchema.migrator.appliedIdentifiers(db)
            return SQLiteSchema.migrationNames.filter(applied.contains)
        }
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        return configuration
    }

    /// Runs a read, turning SQLite's errors into ``SQLiteStoreError``s.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await self.writer.read(body)
        } catch let error as DatabaseError {
            throw SQLiteStoreError(error)
        }
    }

    /// Runs a write in an immediate transaction, turning SQLite's errors into ``SQLiteStoreError``s; errors of
    /// other types thrown by `body` (such as `AccountsError`) roll back and pass through.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await self.writer.write(body)
        } catch let error as DatabaseError {
            throw SQLiteStoreError(error)
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        if let error = error as? SQLiteStoreError { return error.message }
        return String(describing: error)
    }
}

/// Creation of the database file with owner-only permissions, before SQLite opens it.
private enum PrivateFile {
    /// Creates `path` with mode 0600 unless it exists (an existing file keeps its mode).
    static func create(_ path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw SQLiteStoreError("cannot open the database \(path): \(String(cString: strerror(errno)))")
        }
        close(descriptor)
    }
}

/// A failure of the SQLite stores: SQLite itself, or data in the file that the stores cannot read.
public struct SQLiteStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameter message: What went wrong.
    public init(_ message: String) {
        self.message = message
    }

    init(_ error: DatabaseError) {
        self.message = "database error: " + (error.message ?? "SQLite error \(error.resultCode.rawValue)")
    }

    /// The message.
    public var description: String { self.message }
}

import Accounts
import Foundation
import GRDB

/// A ``TransferLog`` in the SQLite database (table `transfers`, see ``SQLiteSchema``).
///
/// Each record is one row, written in its own transaction; ids increase in the order records are written.
public struct SQLiteTransferLog: TransferLog {
    private let database: SQLiteDatabase

    /// Creates a log over an open database.
    ///
    /// - Parameter database: The database.
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// Appends a record; its `id` is ignored and a new one assigned.
    ///
    /// - Throws: ``SQLiteStoreError`` on database failures.
    public func record(_ r: TransferRecord) async throws {
        let arguments: StatementArguments = [
            r.timeMilliseconds,
            r.user,
            r.clientAddress,
            r.protocolName,
            r.action.rawValue,
            r.path,
            r.targetPath,
            r.bytes.map { Int64(bitPattern: $0) },
            r.durationMicroseconds.map { Double($0) / 1000 },
            r.result,
            r.sessionID,
        ]
        try await self.database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO transfers
                        (time, user, client_address, protocol, action, path, target_path, bytes, duration_ms,
                         result, session_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: arguments
            )
        }
    }

    /// The matching records, oldest first (ties in the order written); with a limit, the newest ones.
    ///
    /// - Throws: ``SQLiteStoreError`` on database failures or rows with an unknown action.
    public func records(_ query: TransferQuery) async throws -> [TransferRecord] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let user = query.user {
            conditions.append("user = ?")
            arguments += [user]
        }
        if let since = query.since {
            conditions.append("time >= ?")
            arguments += [TransferQuery.sinceMilliseconds(since)]
        }
        var sql = "SELECT * FROM transfers"
        if !conditions.isEmpty {
            sql += " WHERE " + conditions.joined(separator: " AND ")
        }
        if let limit = query.limit {
            sql = "SELECT * FROM (\(sql) ORDER BY time DESC, id DESC LIMIT ?) ORDER BY time, id"
            arguments += [max(0, limit)]
        } else {
            sql += " ORDER BY time, id"
        }
        let statement = sql
        let values = arguments
        return try await self.database.read { db in
            try Row.fetchAll(db, sql: statement, arguments: values).map(Self.decode)
        }
    }

    private static func decode(_ row: Row) throws -> TransferRecord {
        let id: Int64 = row["id"]
        let actionText: String = row["action"]
        guard let action = TransferAction(rawValue: actionText) else {
            throw SQLiteStoreError("transfer record \(id) has an unknown action '\(actionText.prefix(32))'")
        }
        let bytes: Int64? = row["bytes"]
        let milliseconds: Double? = row["duration_ms"]
        return TransferRecord(
            id: id,
            time: TransferRecord.date(milliseconds: row["time"]),
            user: row["user"],
            clientAddress: row["client_address"],
            protocolName: row["protocol"],
            action: action,
            path: row["path"],
            targetPath: row["target_path"],
            bytes: bytes.map { UInt64(bitPattern: $0) },
            duration: milliseconds.map(TransferRecord.duration(milliseconds:)),
            result: row["result"],
            sessionID: row["session_id"]
        )
    }
}

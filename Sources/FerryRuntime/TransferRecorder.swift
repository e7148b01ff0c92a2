import Accounts
import Foundation
import Logging
import VFS

/// Records every login and file operation twice: in the transfer log (SQLite) for `ferry transfers`, and as
/// one structured log line for whatever collects the server's output.
public final class TransferRecorder: Sendable {
    let log: any TransferLog
    let logger: Logger

    /// Creates a recorder.
    public init(log: any TransferLog, logger: Logger) {
        self.log = log
        self.logger = logger
    }

    /// Records one event; a failure to store it is logged, never thrown at the transfer.
    public func record(_ record: TransferRecord) async {
        var metadata: Logger.Metadata = [
            "user": "\(record.user)", "protocol": "\(record.protocolName)", "action": "\(record.action.rawValue)",
            "result": "\(record.result)",
        ]
        if let client = record.clientAddress { metadata["client"] = "\(client)" }
        if let path = record.path { metadata["path"] = "\(path)" }
        if let target = record.targetPath { metadata["target"] = "\(target)" }
        if let bytes = record.bytes { metadata["bytes"] = "\(bytes)" }
        if let duration = record.duration {
            let milliseconds =
                Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            metadata["duration_ms"] = "\((milliseconds * 1000).rounded() / 1000)"
        }
        if let session = record.sessionID { metadata["session"] = "\(session)" }
        self.logger.info("transfer", metadata: metadata)
        do {
            try await self.log.record(record)
        } catch {
            self.logger.error("transfer log write failed", metadata: ["error": "\(error)"])
        }
    }

    /// A VFS event sink that records a session's events with its client address and session id.
    public func sink(clientAddress: String?, protocolName: String, sessionID: String) -> some VFSEventSink {
        SessionEventSink(recorder: self, clientAddress: clientAddress, protocolName: protocolName, sessionID: sessionID)
    }
}

/// Turns VFS events into transfer records.
struct SessionEventSink: VFSEventSink {
    let recorder: TransferRecorder
    let clientAddress: String?
    let protocolName: String
    let sessionID: String

    func receive(_ event: VFSEvent, user: String) async {
        func make(
            _ action: TransferAction,
            _ path: String,
            target: String? = nil,
            bytes: UInt64? = nil,
            duration: Duration? = nil,
            result: String = TransferRecord.ok
        ) -> TransferRecord {
            TransferRecord(
                user: user,
                clientAddress: self.clientAddress,
                protocolName: self.protocolName,
                action: action,
                path: path,
                targetPath: target,
                bytes: bytes,
                duration: duration,
                result: result,
                sessionID: self.sessionID
            )
        }
        let record: TransferRecord
        switch event {
        case .uploadCompleted(let path, let bytes, let duration):
            record = make(.upload, path.string, bytes: bytes, duration: duration)
        case .uploadFailed(let path, let bytes, let error):
            record = make(.upload, path.string, bytes: bytes, result: error.message)
        case .uploadAborted(let path, let bytes):
            record = make(
                .upload,
                path.string,
                bytes: bytes,
                result: "aborted: the session ended before the file was closed"
            )
        case .downloadCompleted(let path, let bytes, let duration):
            record = make(.download, path.string, bytes: bytes, duration: duration)
        case .removed(let path):
            record = make(.delete, path.string)
        case .renamed(let from, let to):
            record = make(.rename, from.string, target: to.string)
        case .directoryCreated(let path):
            record = make(.mkdir, path.string)
        case .directoryRemoved(let path):
            record = make(.rmdir, path.string)
        }
        await self.recorder.record(record)
    }
}

import Foundation

/// One entry of a remote directory listing, as the mirror needs it.
public struct MirrorRemoteEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        /// A symbolic link, device or anything else; the mirror skips them.
        case other
    }

    /// The name within its directory.
    public var name: String
    /// The full remote path (the listed directory joined with `name`).
    public var path: String
    public var kind: Kind
    public var size: UInt64
    /// Modification time, whole seconds (SFTP v3 carries no more).
    public var modificationTime: Int64

    public init(name: String, path: String, kind: Kind, size: UInt64, modificationTime: Int64) {
        self.name = name
        self.path = path
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
    }
}

/// A connected session to where files come from. The SFTP implementation wraps an `SFTPClient`; tests use an
/// in-memory one.
///
/// Errors that mean the connection is gone must be ``MirrorSourceError/connectionLost(_:)``, so the mirror
/// reconnects instead of counting a failed attempt against the file.
public protocol MirrorSource: Sendable {
    /// The entries of `directory` (not recursive), without `.` and `..`.
    func list(_ directory: String) async throws -> [MirrorRemoteEntry]
    /// Size and modification time of `path`, or nil when it does not exist.
    func stat(_ path: String) async throws -> MirrorRemoteEntry?
    /// Copies the remote file into the local file at `localPath` from byte `offset` on (the local file already
    /// holds the first `offset` bytes), calling `progress` with the bytes written so far. Returns the local
    /// file's final size.
    func download(
        _ path: String,
        to localPath: String,
        from offset: UInt64,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> UInt64
    func remove(_ path: String) async throws
    /// Renames; a file already at `newPath` is replaced (atomically where the server can).
    func rename(_ path: String, to newPath: String) async throws
    /// Creates a directory; succeeds if it already exists.
    func makeDirectory(_ path: String) async throws
    func close() async
}

/// Opens sessions; called again after a connection is lost.
public protocol MirrorSourceConnector: Sendable {
    /// Where files come from, for messages and status (e.g. `sftp://user@host:22/outbox`).
    var description: String { get }
    func connect() async throws -> any MirrorSource
}

public enum MirrorSourceError: Error, Sendable, CustomStringConvertible {
    /// The connection dropped or could not be made; retry after reconnecting.
    case connectionLost(String)
    /// The file is gone (deleted or renamed on the server between listing and download).
    case noSuchFile(String)
    /// Any other refusal by the server (permission denied, …), counted as a failed attempt.
    case failed(String)

    public var description: String {
        switch self {
        case .connectionLost(let why): "connection lost: \(why)"
        case .noSuchFile(let path): "no such file: \(path)"
        case .failed(let why): why
        }
    }
}

import Foundation

/// The body of a `mirror.file.downloaded` webhook: JSON with sorted keys.
///
/// `{"downloaded_at":"…","event":"mirror.file.downloaded","local_path":"…","mtime":"…","path":"…","sha256":"…",
/// "size":N,"source":"sftp://…"}`, times in ISO 8601 (UTC, whole seconds).
public struct MirrorFileDownloadedEvent: Sendable, Equatable, Codable {
    /// The event name.
    public static let name = "mirror.file.downloaded"

    /// Always ``name``.
    public var event: String
    /// Where files come from.
    public var source: String
    /// The remote path.
    public var path: String
    /// The local path.
    public var localPath: String
    /// Size in bytes.
    public var size: UInt64
    /// The remote modification time.
    public var mtime: String
    /// SHA-256 of the content, lowercase hex.
    public var sha256: String
    /// When the file was renamed into place.
    public var downloadedAt: String

    enum CodingKeys: String, CodingKey {
        case event, source, path, size, mtime, sha256
        case localPath = "local_path"
        case downloadedAt = "downloaded_at"
    }

    /// Creates an event.
    public init(
        source: String,
        path: String,
        localPath: String,
        size: UInt64,
        modificationTime: Int64,
        sha256: String,
        downloadedAt: Date
    ) {
        self.event = Self.name
        self.source = source
        self.path = path
        self.localPath = localPath
        self.size = size
        self.mtime = Self.iso(Date(timeIntervalSince1970: TimeInterval(modificationTime)))
        self.sha256 = sha256
        self.downloadedAt = Self.iso(downloadedAt)
    }

    /// The JSON bytes.
    ///
    /// - Returns: The body.
    public func body() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { [UInt8]($0) } ?? []
    }

    static func iso(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}

import FerryCore
import SFTPProtocol

/// How an SFTP session behaves: packet sizes, how much it runs at once, listings and names.
public struct SFTPServerOptions: Sendable {
    /// The longest packet accepted (the `length` field): 256 KiB of data plus headers, like OpenSSH's
    /// `sftp-server`. Longer packets end the session, as the stream cannot be resynchronised.
    public var maximumPacketLength: Int = SFTPPacketDecoder.defaultMaximumPacketLength
    /// How many `READ` and `WRITE` requests may run at the same time in one session. Further requests wait,
    /// and the client is then slowed by the channel's window, so memory stays bounded.
    public var maximumConcurrentRequests: Int = 64
    /// The most entries in one `SSH_FXP_NAME` reply to `READDIR` (OpenSSH sends 100).
    public var directoryEntriesPerReply: Int = 100
    /// How many entries are fetched from storage at a time for a listing: large enough that a directory of
    /// 100,000 entries takes ten storage pages, small enough that an open listing holds a few megabytes.
    public var directoryPageSize: Int = 10_000
    /// The name shown for a user id in long names and `users-groups-by-id`; `nil` shows the number
    /// (and an empty name in `users-groups-by-id`, which the extension defines as unknown).
    public var userName: @Sendable (UInt32) -> String? = { _ in nil }
    /// The name shown for a group id; `nil` shows the number.
    public var groupName: @Sendable (UInt32) -> String? = { _ in nil }
    /// The current time in seconds since 1970, for the date column of long names.
    public var now: @Sendable () -> Int64 = { FileTimestamp.now().seconds }

    /// Options with the defaults above.
    public init() {}
}

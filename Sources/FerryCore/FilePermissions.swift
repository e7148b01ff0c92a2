/// POSIX permission bits of an entry: read/write/execute for owner, group and others, plus set-user-ID,
/// set-group-ID and sticky (`0o7777`). The file-type bits of a mode are not part of it.
public struct FilePermissions: RawRepresentable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The permission bits, always within `0o7777`.
    public let rawValue: UInt32

    /// Creates permissions from mode bits, dropping anything outside `0o7777`.
    ///
    /// - Parameter rawValue: Mode bits; file-type bits are ignored.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue & 0o7777
    }

    /// Creates permissions from an octal literal such as `0o644`.
    ///
    /// - Parameter value: Mode bits; anything outside `0o7777` is ignored.
    public init(integerLiteral value: UInt32) {
        self.init(rawValue: value)
    }

    /// The bits in octal, four digits: `0644`.
    public var description: String {
        let digits = String(self.rawValue, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

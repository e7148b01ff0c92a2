#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as file systems record it: seconds since the Unix epoch plus nanoseconds.
public struct FileTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    public var seconds: Int64
    /// Nanoseconds past `seconds`, in `0..<1_000_000_000`.
    public var nanoseconds: UInt32

    /// Creates a timestamp.
    ///
    /// - Parameters:
    ///   - seconds: Whole seconds since the Unix epoch.
    ///   - nanoseconds: Nanoseconds past `seconds`; must be below one billion.
    public init(seconds: Int64, nanoseconds: UInt32 = 0) {
        precondition(nanoseconds < 1_000_000_000, "nanoseconds out of range")
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The current wall-clock time.
    ///
    /// - Returns: The system's real-time clock reading.
    public static func now() -> FileTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return FileTimestamp(seconds: Int64(time.tv_sec), nanoseconds: UInt32(time.tv_nsec))
    }

    public static func < (lhs: FileTimestamp, rhs: FileTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public var description: String {
        let fraction = String(self.nanoseconds)
        return "\(self.seconds).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }
}

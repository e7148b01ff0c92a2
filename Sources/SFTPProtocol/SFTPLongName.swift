/// The `longname` of `SSH_FXP_NAME` entries (draft-ietf-secsh-filexfer-02 §7) in the `ls -l` layout
/// OpenSSH's `sftp-server` sends for `READDIR`.
///
/// The draft leaves the format open and recommends
///
///     -rwxr-xr-x   1 mjos     staff      348911 Mar 25 14:29 t-filexfer
///
/// OpenSSH's layout, as observed from its `sftp-server`, is: the ten-character mode, two spaces, the
/// link count right-aligned in three columns, a space, the owner left-aligned in eight, a space, the
/// group left-aligned in eight, a space, the size right-aligned in eight, a space, the twelve-column
/// modification date, a space and the name. Wider values widen their column. The date is
/// `Mmm dd HH:MM` (day space-padded) for a time within the last six months (182.5 days) up to now,
/// and `Mmm dd  YYYY` otherwise, including for times in the future.
public enum SFTPLongName {
    /// How far back a modification time still shows its clock time rather than its year: half of
    /// 365 days, in seconds.
    public static let recentInterval: Int64 = 365 * 24 * 60 * 60 / 2

    /// Formats one `ls -l` line.
    ///
    /// Absent attributes print as zero: no permissions gives `?---------`, no times gives the epoch.
    ///
    /// - Parameters:
    ///   - filename: the name to end the line with.
    ///   - attributes: the file's attributes (mode, ownership, size, modification time).
    ///   - owner: the owner's name; `nil` prints the numeric uid, as `sftp-server` does for ids
    ///     without a name.
    ///   - group: the group's name; `nil` prints the numeric gid.
    ///   - linkCount: the number of hard links (`ATTRS` in version 3 does not carry it).
    ///   - now: the current time, in seconds since 1970-01-01 00:00 UTC.
    ///   - utcOffset: the offset from UTC, in seconds, of the time zone to show dates in, at a given
    ///     time (so daylight saving time can differ between `now` and the file's date). UTC by default.
    /// - Returns: the line, without a newline.
    public static func format(
        filename: String,
        attributes: SFTPFileAttributes,
        owner: String? = nil,
        group: String? = nil,
        linkCount: UInt32 = 1,
        now: Int64,
        utcOffset: (_ secondsSinceEpoch: Int64) -> Int = { _ in 0 }
    ) -> String {
        let mode = (attributes.permissions ?? SFTPPermissions(rawValue: 0)).modeString
        let owner = owner ?? String(attributes.ownership?.userID ?? 0)
        let group = group ?? String(attributes.ownership?.groupID ?? 0)
        let size = String(attributes.size ?? 0)
        let date = Self.date(Int64(attributes.times?.modificationTime ?? 0), now: now, utcOffset: utcOffset)
        return mode + "  " + Self.right(String(linkCount), 3) + " " + Self.left(owner, 8) + " "
            + Self.left(group, 8) + " " + Self.right(size, 8) + " " + date + " " + filename
    }

    /// The twelve-column date: `Mmm dd HH:MM` when recent, `Mmm dd  YYYY` otherwise.
    static func date(_ time: Int64, now: Int64, utcOffset: (Int64) -> Int) -> String {
        let local = time + Int64(utcOffset(time))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = Int(local - days * 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let prefix = months[month - 1] + " " + Self.right(String(day), 2)
        if time <= now && time > now - Self.recentInterval {
            return prefix + " " + Self.twoDigits(seconds / 3600) + ":" + Self.twoDigits(seconds / 60 % 60)
        }
        return prefix + "  " + String(year)
    }

    /// The proleptic Gregorian date of a day number (0 is 1970-01-01): the usual era-based
    /// conversion, with March as the first month of the computational year so leap days come last.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let shifted = daysSinceEpoch + 719_468  // days from 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // from March 1
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthFromMarch + 2) / 5 + 1)
        let month = Int(monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func left(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func right(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

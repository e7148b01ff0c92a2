import SFTPProtocol
import Testing

/// Long names compared with what OpenSSH 9.2's sftp-server sent in SSH_FXP_NAME replies to READDIR
/// (read off the wire, since the `sftp` client reformats them), for files made with these modes,
/// owners, sizes and times, in UTC.
@Suite struct LongNameTests {
    struct Observed: Sendable, CustomTestStringConvertible {
        var line: String
        var mode: UInt32
        var owner: String?
        var group: String?
        var ids: (UInt32, UInt32) = (0, 0)
        var links: UInt32 = 1
        var size: UInt64 = 0
        var mtime: UInt32
        var now: Int64

        var testDescription: String { self.line }

        static func root(
            _ line: String,
            mode: UInt32 = 0o100644,
            size: UInt64 = 0,
            links: UInt32 = 1,
            mtime: UInt32,
            now: Int64
        )
            -> Observed
        {
            Observed(
                line: line,
                mode: mode,
                owner: "root",
                group: "root",
                links: links,
                size: size,
                mtime: mtime,
                now: now
            )
        }
    }

    static let observed: [Observed] = [
        .root(
            "-rw-r--r--    1 root     root            6 Nov 22 04:02 plain.txt",
            size: 6,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "drwxr-xr-x    5 root     root         4096 Nov 22 04:02 .",
            mode: 0o040755,
            size: 4096,
            links: 5,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "lrwxrwxrwx    1 root     root            9 Nov 22 04:02 link",
            mode: 0o120777,
            size: 9,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "prw-r--r--    1 root     root            0 Nov 22 04:02 fifo",
            mode: 0o010644,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "srwxr-xr-x    1 root     root            0 Nov 22 04:02 sock",
            mode: 0o140755,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r-Sr--    1 root     root            0 Nov 22 04:02 sgid",
            mode: 0o102644,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "drwxrwx--T    2 root     root         4096 Nov 22 04:02 stickynox",
            mode: 0o041770,
            size: 4096,
            links: 2,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r--r--    1 root     root     123456789 Nov 22 04:02 big.bin",
            size: 123_456_789,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r--r--    1 root     root     12345678901 Nov 22 04:02 sparse.bin",
            size: 12_345_678_901,
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        .root("-rw-r--r--    1 root     root            0 Nov  2 09:05 nov2", mtime: 1_793_610_300, now: 1_795_320_131),
        .root(
            "-rw-r--r--    1 root     root            0 Jun  1 10:00 fivemonths.txt",
            mtime: 1_780_308_000,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r--r--    1 root     root            0 May 20  2026 sixplus.txt",
            mtime: 1_779_271_200,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r--r--    1 root     root            0 Mar  5  2020 old.txt",
            mtime: 1_583_418_540,
            now: 1_795_320_131
        ),
        .root(
            "-rw-r--r--    1 root     root            0 Mar  5  2027 future.txt",
            mtime: 1_804_256_940,
            now: 1_795_320_131
        ),
        // Thirty seconds in the future already shows the year; thirty seconds ago shows the time.
        .root(
            "-rwsrwsrwt    1 root     root            0 Nov 22  2026 off30",
            mode: 0o107777,
            mtime: 1_795_320_168,
            now: 1_795_320_138
        ),
        .root(
            "----------    1 root     root            0 Nov 22 04:01 off-30",
            mode: 0o100000,
            mtime: 1_795_320_108,
            now: 1_795_320_138
        ),
        // The six-month edge, with now = 1795320144: exactly 15768000 s ago is old, one second less is
        // recent; now itself is recent, one second later is not.
        .root(
            "-rw-r--r--    1 root     root            0 May 23  2026 f1779552144",
            mtime: 1_779_552_144,
            now: 1_795_320_144
        ),
        .root(
            "-rw-r--r--    1 root     root            0 May 23 16:02 f1779552145",
            mtime: 1_779_552_145,
            now: 1_795_320_144
        ),
        .root(
            "-rw-r--r--    1 root     root            0 Nov 22 04:02 f1795320144",
            mtime: 1_795_320_144,
            now: 1_795_320_144
        ),
        .root(
            "-rw-r--r--    1 root     root            0 Nov 22  2026 f1795320145",
            mtime: 1_795_320_145,
            now: 1_795_320_144
        ),
        // Link counts past the column: the two spaces after the mode stay.
        .root(
            "-rw-r--r--   10 root     root            0 Nov 22 04:10 ten",
            links: 10,
            mtime: 1_795_320_604,
            now: 1_795_320_604
        ),
        .root(
            "-rw-r--r--  1002 root     root            0 Nov 22 04:10 many",
            links: 1002,
            mtime: 1_795_320_603,
            now: 1_795_320_604
        ),
        // Ids without names print as numbers; long names widen their columns.
        Observed(
            line: "-rw-r--r--    1 12345    54321           0 Nov 22 04:02 nobodyfile",
            mode: 0o100644,
            owner: nil,
            group: nil,
            ids: (12345, 54321),
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        Observed(
            line: "-rw-r--r--    1 postgres ssl-cert        0 Nov 22 04:02 pg",
            mode: 0o100644,
            owner: "postgres",
            group: "ssl-cert",
            ids: (101, 103),
            mtime: 1_795_320_123,
            now: 1_795_320_131
        ),
        Observed(
            line:
                "-rw-r--r--    1 averyveryverylongusername averyveryverylonggroupname        0 Nov 22 04:02 longowner",
            mode: 0o100644,
            owner: "averyveryverylongusername",
            group: "averyveryverylonggroupname",
            ids: (4242, 4343),
            mtime: 1_795_320_138,
            now: 1_795_320_138
        ),
    ]

    @Test(arguments: observed)
    func matchesSFTPServer(_ example: Observed) {
        let name = String(example.line.split(separator: " ").last!)
        let attributes = SFTPFileAttributes(
            size: example.size,
            ownership: .init(userID: example.ids.0, groupID: example.ids.1),
            permissions: SFTPPermissions(rawValue: example.mode),
            times: .init(accessTime: example.mtime, modificationTime: example.mtime)
        )
        let line = SFTPLongName.format(
            filename: name,
            attributes: attributes,
            owner: example.owner,
            group: example.group,
            linkCount: example.links,
            now: example.now
        )
        #expect(line == example.line)
    }

    @Test func timeZoneOffsets() {
        let attributes = SFTPFileAttributes(
            permissions: SFTPPermissions(rawValue: 0o100644),
            times: .init(accessTime: 0, modificationTime: 1_795_320_123)
        )
        func line(_ offset: @escaping (Int64) -> Int) -> String {
            SFTPLongName.format(
                filename: "f",
                attributes: attributes,
                owner: "u",
                group: "g",
                now: 1_795_320_131,
                utcOffset: offset
            )
        }
        #expect(line({ _ in 2 * 3600 }) == "-rw-r--r--    1 u        g               0 Nov 22 06:02 f")
        #expect(line({ _ in -5 * 3600 }) == "-rw-r--r--    1 u        g               0 Nov 21 23:02 f")
        // The offset is asked for at the file's time, not at now.
        #expect(line({ $0 == 1_795_320_123 ? 3600 : 0 }) == "-rw-r--r--    1 u        g               0 Nov 22 05:02 f")
    }

    @Test(arguments: [
        (UInt32(0), "Jan  1  1970"), (0xFFFF_FFFF, "Feb  7  2106"), (951_782_400, "Feb 29  2000"),
        (951_825_600, "Feb 29  2000"), (4_107_542_400, "Mar  1  2100"), (1_709_164_800, "Feb 29  2024"),
        (1_704_067_199, "Dec 31  2023"), (1_704_067_200, "Jan  1  2024"),
    ])
    func calendarDates(_ mtime: UInt32, _ date: String) {
        let line = SFTPLongName.format(
            filename: "f",
            attributes: .init(times: .init(accessTime: 0, modificationTime: mtime)),
            owner: "u",
            group: "g",
            now: 5_000_000_000
        )
        #expect(line.contains(" \(date) f"), "\(line)")
    }

    @Test func absentAttributesPrintAsZero() {
        let line = SFTPLongName.format(filename: "x", attributes: .init(), now: 1_795_320_131)
        #expect(line == "?---------    1 0        0               0 Jan  1  1970 x")
        #expect(SFTPLongName.recentInterval == 15_768_000)
    }
}

import Foundation
import Testing

@testable import Accounts

@Suite("Transfer record formatting")
struct TransferRecordFormattingTests {
    static func at(_ milliseconds: Int64) -> Date {
        TransferRecord.date(milliseconds: milliseconds)
    }

    static let upload = TransferRecord(
        time: at(1_795_341_600_123),
        user: "alice",
        clientAddress: "127.0.0.1:5555",
        protocolName: "sftp",
        action: .upload,
        path: "/in/a b.txt",
        bytes: 1_048_576,
        duration: .microseconds(12_500),
        result: "ok"
    )

    static let tricky = TransferRecord(
        id: 42,
        time: at(-1),
        user: #"x\y"#,
        clientAddress: "",
        protocolName: "scp",
        action: .rename,
        path: "/a=b",
        targetPath: #"/quote"d\back"#,
        duration: .seconds(3),
        result: "permission denied: \"x\"\n",
        sessionID: "s 1\t\u{01}\u{7F}\u{85}é\u{2028}"
    )

    @Test("logfmt golden lines")
    func logfmtGolden() {
        #expect(
            Self.upload.logfmt()
                == #"time=2026-11-22T10:00:00.123Z user=alice client=127.0.0.1:5555 protocol=sftp action=upload path="/in/a b.txt" bytes=1048576 duration_ms=12.5 result=ok"#
        )
        #expect(
            Self.tricky.logfmt()
                == #"time=1969-12-31T23:59:59.999Z user=x\y client="" protocol=scp action=rename path="/a=b" target="/quote\"d\\back" duration_ms=3000 result="permission denied: \"x\"\n" session="s 1\t\u0001\u007f\u0085é"#
                + "\u{2028}\""
        )
        let minimal = TransferRecord(
            time: Self.at(0),
            user: "carol",
            protocolName: "ftp",
            action: .loginFailed,
            result: "bad password"
        )
        #expect(
            minimal.logfmt()
                == #"time=1970-01-01T00:00:00.000Z user=carol protocol=ftp action=login-failed result="bad password""#
        )
    }

    @Test("JSON golden lines")
    func jsonGolden() {
        #expect(
            Self.upload.jsonLine()
                == #"{"time":"2026-11-22T10:00:00.123Z","user":"alice","client":"127.0.0.1:5555","protocol":"sftp","action":"upload","path":"/in/a b.txt","bytes":1048576,"duration_ms":12.5,"result":"ok"}"#
        )
        #expect(
            Self.tricky.jsonLine()
                == #"{"id":42,"time":"1969-12-31T23:59:59.999Z","user":"x\\y","client":"","protocol":"scp","action":"rename","path":"/a=b","target":"/quote\"d\\back","duration_ms":3000,"result":"permission denied: \"x\"\n","session":"s 1\t\u0001\u007f\u0085é\u2028"}"#
        )
    }

    @Test("JSON lines parse back to the record's values")
    func jsonParses() throws {
        for record in [Self.upload, Self.tricky] {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(record.jsonLine().utf8)) as? [String: Any]
            )
            #expect(object["user"] as? String == record.user)
            #expect(object["client"] as? String == record.clientAddress)
            #expect(object["target"] as? String == record.targetPath)
            #expect(object["result"] as? String == record.result)
            #expect(object["session"] as? String == record.sessionID)
            #expect(object["time"] as? String == record.timeText)
            #expect((object["id"] as? NSNumber)?.int64Value == record.id)
        }
    }

    @Test("logfmt values decode back as Go's logfmt decoder reads them")
    func logfmtDecodes() throws {
        let values = [
            "plain", "", "a b", "a=b", "q\"q", #"back\slash"#, "new\nline", "\r\t\u{0}\u{1B}[31m", "ü ☃", "x\u{7F}",
        ]
        for value in values {
            let record = TransferRecord(time: Self.at(0), user: "u", protocolName: "sftp", action: .mkdir, path: value)
            let fields = try LogfmtReader.parse(record.logfmt())
            #expect(fields.first { $0.key == "path" }?.value == value, "\(record.logfmt())")
            #expect(!record.logfmt().unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        }
    }

    @Test("ISO 8601 with milliseconds across the calendar")
    func timestamps() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_868_800_000, "2000-03-01T00:00:00.000Z"),
            (1_709_210_096_789, "2024-02-29T12:34:56.789Z"),
            (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        ]
        for (milliseconds, text) in cases {
            #expect(ISO8601Milliseconds.format(milliseconds: milliseconds) == text)
        }
        // Against Foundation's Gregorian calendar (proleptic only from 1582 on, so later years only).
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Int64.random(in: -11_676_096_000...253_402_300_799, using: &generator)
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d.000Z",
                c.year!,
                c.month!,
                c.day!,
                c.hour!,
                c.minute!,
                c.second!
            )
            #expect(ISO8601Milliseconds.format(milliseconds: seconds * 1000) == expected, "\(seconds)")
        }
    }

    @Test("parsing ISO 8601 dates and times")
    func parsing() {
        let cases: [(String, Int64?)] = [
            ("2026-11-22", 1_795_305_600_000),
            ("2026-11-22T10:00:00Z", 1_795_341_600_000),
            ("2026-11-22T10:00:00.123Z", 1_795_341_600_123),
            ("2026-11-22 10:00:00.1234567z", 1_795_341_600_123),
            ("2026-11-22T10:00:00.5", 1_795_341_600_500),
            ("2026-11-22T10:00", 1_795_341_600_000),
            ("2026-11-22T12:00:00+02:00", 1_795_341_600_000),
            ("2026-11-22T05:30:00-0430", 1_795_341_600_000),
            ("2026-11-22T11:00:00+01", 1_795_341_600_000),
            ("2024-02-29", 1_709_164_800_000),
            ("1969-12-31T23:59:59.999Z", -1),
            ("2023-02-29", nil), ("2026-13-01", nil), ("2026-11-31", nil), ("2026-11-22T24:00", nil),
            ("2026-11-22T10:60", nil), ("2026-11-22T10:00:61Z", nil), ("2026-11-22T10:00:00.Z", nil),
            ("2026-11-22T10:00:00Q", nil), ("2026-11-22T10:00:00+2", nil), ("26-11-22", nil), ("2026-1-22", nil),
            ("2026-11-22T", nil), ("", nil), ("yesterday", nil), ("2026-11-22Z", nil), ("2026-11-22T10:00:00Z ", nil),
        ]
        for (text, expected) in cases {
            #expect(ISO8601Milliseconds.parse(text) == expected, "\(text)")
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let milliseconds = Int64.random(
                in: TransferRecord.earliestMilliseconds...TransferRecord.latestMilliseconds,
                using: &generator
            )
            #expect(ISO8601Milliseconds.parse(ISO8601Milliseconds.format(milliseconds: milliseconds)) == milliseconds)
        }
    }

    @Test("time rounds to the millisecond, duration to the microsecond, both stable")
    func normalisation() {
        var record = TransferRecord(
            time: Date(timeIntervalSince1970: 1.000_6),
            user: "u",
            protocolName: "sftp",
            action: .download,
            duration: .nanoseconds(1_500)
        )
        #expect(record.timeMilliseconds == 1_001)
        #expect(record.durationMicroseconds == 2)
        #expect(record.logfmt().contains("duration_ms=0.002"))
        record.time = Date(timeIntervalSince1970: -0.000_4)
        #expect(record.timeMilliseconds == 0)
        record.duration = .milliseconds(12.05)
        #expect(record.logfmt().contains("duration_ms=12.05"))
        record.duration = .seconds(-1)
        #expect(record.logfmt().contains("duration_ms=-1000"))
        // Normalising twice changes nothing.
        let copy = TransferRecord(
            time: record.time,
            user: "u",
            protocolName: "sftp",
            action: .download,
            duration: record.duration
        )
        #expect(copy.time == record.time && copy.duration == record.duration)
        // Out-of-range and invalid times are clamped rather than trapping.
        #expect(
            TransferRecord(time: .distantFuture, user: "u", protocolName: "x", action: .login).timeText.hasPrefix(
                "4001-"
            )
        )
        #expect(
            TransferRecord(time: Date(timeIntervalSince1970: 1e300), user: "u", protocolName: "x", action: .login)
                .timeText == "9999-12-31T23:59:59.999Z"
        )
        #expect(
            TransferRecord(time: Date(timeIntervalSince1970: .nan), user: "u", protocolName: "x", action: .login)
                .timeMilliseconds == 0
        )
        #expect(TransferRecord.microseconds(of: .seconds(Int64.max)) == Int64.max)
    }

    @Test("Codable round trip with duration in milliseconds")
    func codable() throws {
        for record in [Self.upload, Self.tricky] {
            let data = try JSONEncoder().encode(record)
            #expect(try JSONDecoder().decode(TransferRecord.self, from: data) == record)
        }
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Self.upload)) as? [String: Any]
        #expect(object?["duration_ms"] as? Double == 12.5)
        #expect(object?["protocol"] as? String == "sftp")
        #expect(object?["action"] as? String == "upload")
    }

    @Test("actions are written with their raw values")
    func actions() {
        #expect(
            TransferAction.allCases.map(\.rawValue) == [
                "login", "login-failed", "upload", "download", "delete", "rename", "mkdir", "rmdir", "setstat",
                "symlink",
            ]
        )
    }
}

/// A logfmt reader for the tests, with Go's unquoting rules.
enum LogfmtReader {
    struct Failure: Error {}

    static func parse(_ line: String) throws -> [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        var scalars = Substring(line).unicodeScalars[...]
        while !scalars.isEmpty {
            while scalars.first == " " { scalars.removeFirst() }
            var key = ""
            while let scalar = scalars.first, scalar != "=" {
                key.unicodeScalars.append(scalar)
                scalars.removeFirst()
            }
            guard scalars.popFirst() == "=" else { throw Failure() }
            var value = ""
            if scalars.first == "\"" {
                scalars.removeFirst()
                while true {
                    guard let scalar = scalars.popFirst() else { throw Failure() }
                    if scalar == "\"" { break }
                    if scalar != "\\" {
                        value.unicodeScalars.append(scalar)
                        continue
                    }
                    switch scalars.popFirst() {
                    case "\""?: value += "\""
                    case "\\"?: value += "\\"
                    case "n"?: value += "\n"
                    case "r"?: value += "\r"
                    case "t"?: value += "\t"
                    case "u"?:
                        let hex = String(String.UnicodeScalarView(scalars.prefix(4)))
                        scalars.removeFirst(4)
                        guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                            throw Failure()
                        }
                        value.unicodeScalars.append(decoded)
                    default: throw Failure()
                    }
                }
            } else {
                while let scalar = scalars.first, scalar != " " {
                    value.unicodeScalars.append(scalar)
                    scalars.removeFirst()
                }
            }
            fields.append((key, value))
        }
        return fields
    }
}

@Suite struct StructuredLineTests {
    @Test func logLinesQuoteAndEscapeLikeTransferRecords() {
        let fields: [(key: String, value: String)] = [
            ("level", "info"), ("msg", "host key created"), ("path", "a=b\n\u{1B}[31m"), ("empty", ""),
        ]
        #expect(
            StructuredLine.logfmt(fields)
                == #"level=info msg="host key created" path="a=b\n\u001b[31m" empty="""#
        )
        #expect(
            StructuredLine.json(fields)
                == #"{"level":"info","msg":"host key created","path":"a=b\n\u001b[31m","empty":""}"#
        )
    }
}

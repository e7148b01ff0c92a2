import FerryRuntime
import Testing

@Suite struct ConfigurationValuesTests {
    @Test func durationForms() {
        let good: [(String, Duration)] = [
            ("90s", .seconds(90)), ("15m", .seconds(900)), ("2h", .seconds(7200)), ("1d", .seconds(86400)),
            ("45", .seconds(45)), ("0", .zero), ("0s", .zero), ("1h30m", .seconds(5400)), ("250ms", .milliseconds(250)),
            (" 10m ", .seconds(600)),
        ]
        for (text, duration) in good {
            #expect(ConfigurationValues.duration(text) == duration, "\(text)")
        }
        for bad in [
            "", "abc", "1.5h", "-5s", "5x", "s", "15 m", "1h 30m", "15M", "99999999999999999999d",
            "9223372036854775807d",
        ] {
            #expect(ConfigurationValues.duration(bad) == nil, "\(bad)")
        }
        let formatted: [(Duration, String)] = [
            (.zero, "0"), (.seconds(90), "90s"), (.seconds(900), "15m"), (.seconds(7200), "2h"),
            (.seconds(86400), "1d"), (.milliseconds(1500), "1500ms"),
        ]
        for (duration, text) in formatted {
            #expect(ConfigurationValues.format(duration) == text)
            #expect(ConfigurationValues.duration(text) == duration)
        }
    }

    @Test func sizeForms() {
        let good: [(String, UInt64)] = [
            ("20MiB", 20 << 20), ("1G", 1 << 30), ("512k", 512 << 10), ("4096", 4096), ("0", 0), ("1kb", 1024),
            ("2 MB", 2 << 20), ("3t", 3 << 40), ("7B", 7), ("1gib", 1 << 30),
        ]
        for (text, bytes) in good {
            #expect(ConfigurationValues.size(text) == bytes, "\(text)")
        }
        for bad in ["", "abc", "1.5G", "-1", "10PB", "MiB", "1 2", "20000000T", "18446744073709551616"] {
            #expect(ConfigurationValues.size(bad) == nil, "\(bad)")
        }
        let formatted: [(UInt64, String)] = [
            (20 << 20, "20MiB"), (1 << 30, "1GiB"), (512 << 10, "512KiB"), (1000, "1000"), (0, "0"),
        ]
        for (bytes, text) in formatted {
            #expect(ConfigurationValues.format(size: bytes) == text)
            #expect(ConfigurationValues.size(text) == bytes)
        }
    }

    @Test func booleanForms() {
        for text in ["true", "TRUE", "yes", "on", "1", " True "] {
            #expect(ConfigurationValues.bool(text) == true, "\(text)")
        }
        for text in ["false", "No", "off", "0"] {
            #expect(ConfigurationValues.bool(text) == false, "\(text)")
        }
        for text in ["", "maybe", "2", "t"] {
            #expect(ConfigurationValues.bool(text) == nil, "\(text)")
        }
    }
}

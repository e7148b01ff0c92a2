import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows a transfer's progress on standard error: a bar with the rate and the time left when standard error is
/// a terminal (redrawn at most ten times a second), otherwise one plain line per finished file.
final class TransferProgress: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var done: UInt64 = 0
        var total: UInt64?
    }

    let name: String
    let onTerminal: Bool
    let quiet: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(name: String, quiet: Bool) {
        self.name = name
        self.quiet = quiet
        self.onTerminal = isatty(2) == 1
    }

    /// Records that `done` bytes of `total` (of the whole file) are through.
    func update(_ done: UInt64, of total: UInt64?) {
        guard self.onTerminal, !self.quiet else { return }
        let now = ContinuousClock.now
        let draw: Bool = self.state.withLock { state in
            state.done = done
            state.total = total
            if let last = state.lastDraw, now - last < .milliseconds(100) { return false }
            state.lastDraw = now
            return true
        }
        if draw { self.draw(done: done, final: false) }
    }

    /// Prints the final line: the size, the time and the average rate.
    func finish(size: UInt64, transferred: UInt64, resumedFrom: UInt64) {
        guard !self.quiet else { return }
        if self.onTerminal {
            self.draw(done: size, final: true)
            return
        }
        let seconds = Self.seconds(ContinuousClock.now - self.started)
        var line =
            "\(self.name) \(Self.bytes(size)) in \(Self.duration(seconds)) (\(Self.bytes(UInt64(Double(transferred) / max(seconds, 0.001))))/s)"
        if resumedFrom > 0 { line += ", resumed at \(Self.bytes(resumedFrom))" }
        Self.emit(line + "\n")
    }

    private func draw(done: UInt64, final: Bool) {
        let elapsed = Self.seconds(ContinuousClock.now - self.started)
        let rate = Double(done) / max(elapsed, 0.001)
        var columns = 80
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 { columns = Int(size.ws_col) }
        var right = ""
        let total = self.state.withLock { $0.total }
        if let total, total > 0 {
            let percent = min(100, Int(Double(done) * 100 / Double(total)))
            let remaining = rate > 0 ? Double(total > done ? total - done : 0) / rate : 0
            let time = final ? Self.duration(elapsed) : "ETA " + Self.duration(remaining)
            right = String(format3(percent)) + "% " + Self.bytes(done) + " " + Self.bytes(UInt64(rate)) + "/s " + time
        } else {
            right = Self.bytes(done) + " " + Self.bytes(UInt64(rate)) + "/s " + Self.duration(elapsed)
        }
        let room = max(8, columns - right.count - 2)
        var label = self.name
        if label.count > room { label = "…" + label.suffix(room - 1) }
        let padding = String(repeating: " ", count: max(1, columns - label.count - right.count - 1))
        Self.emit("\r" + label + padding + right + (final ? "\n" : ""))
    }

    private static func emit(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// 1.5 KiB, 12.3 MiB, 1.0 GiB.
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(count) B" }
        return "\(Int(value * 10) / 10).\(Int(value * 10) % 10) \(units[unit])"
    }

    /// 0:07, 1:02:03.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--:--" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }
}

private func format3(_ value: Int) -> String {
    let text = String(value)
    return String(repeating: " ", count: max(0, 3 - text.count)) + text
}

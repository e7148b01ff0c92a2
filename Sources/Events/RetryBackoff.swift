import Foundation

/// Exponential backoff with jitter: how long to wait before the next attempt after some failed ones.
///
/// After the first failure the wait is ``initial``, then it grows by ``multiplier`` with each further failure
/// up to ``maximum``. Each wait is spread by ±``jitter`` (a fraction) so that many retries started together
/// do not hit a receiver at the same moment; the spread wait never exceeds ``maximum``.
public struct RetryBackoff: Sendable, Equatable {
    /// The wait after the first failed attempt, in seconds.
    public var initial: TimeInterval
    /// The factor by which the wait grows after each further failure.
    public var multiplier: Double
    /// The longest wait, in seconds.
    public var maximum: TimeInterval
    /// The spread of each wait, as a fraction of it (0.2 is ±20 %).
    public var jitter: Double

    /// One second, doubling, at most five minutes, ±20 %.
    public static let standard = RetryBackoff()

    /// Creates a backoff.
    ///
    /// - Parameters:
    ///   - initial: The wait after the first failure, in seconds.
    ///   - multiplier: The growth factor (at least 1).
    ///   - maximum: The longest wait, in seconds.
    ///   - jitter: The spread as a fraction between 0 and 1.
    public init(initial: TimeInterval = 1, multiplier: Double = 2, maximum: TimeInterval = 300, jitter: Double = 0.2) {
        self.initial = max(0, initial)
        self.multiplier = max(1, multiplier)
        self.maximum = max(self.initial, maximum)
        self.jitter = min(1, max(0, jitter))
    }

    /// The wait before the next attempt after `attempts` failed ones (0 after none), randomly spread.
    ///
    /// - Parameter attempts: The failed attempts so far.
    /// - Returns: Seconds to wait.
    public func delay(afterAttempts attempts: Int) -> TimeInterval {
        var generator = SystemRandomNumberGenerator()
        return self.delay(afterAttempts: attempts, using: &generator)
    }

    /// The wait before the next attempt after `attempts` failed ones, spread with `generator`.
    ///
    /// - Parameters:
    ///   - attempts: The failed attempts so far.
    ///   - generator: The source of the spread.
    /// - Returns: Seconds to wait, within ``bounds(afterAttempts:)``.
    public func delay(afterAttempts attempts: Int, using generator: inout some RandomNumberGenerator) -> TimeInterval {
        let range = self.bounds(afterAttempts: attempts)
        guard range.lowerBound < range.upperBound else { return range.lowerBound }
        return Double.random(in: range, using: &generator)
    }

    /// The smallest and largest wait after `attempts` failed ones.
    ///
    /// - Parameter attempts: The failed attempts so far.
    /// - Returns: The range of waits, in seconds.
    public func bounds(afterAttempts attempts: Int) -> ClosedRange<TimeInterval> {
        guard attempts > 0 else { return 0...0 }
        let exponent = Double(min(attempts - 1, 1024))
        let base = min(self.maximum, self.initial * pow(self.multiplier, exponent))
        let low = min(self.maximum, base * (1 - self.jitter))
        let high = min(self.maximum, base * (1 + self.jitter))
        return low...high
    }
}

import Events
import Testing

@Suite struct RetryBackoffTests {
    @Test func standardWaitsGrowFromOneSecondToFiveMinutesWithTwentyPercentJitter() {
        let backoff = RetryBackoff.standard
        #expect(backoff.bounds(afterAttempts: 0) == 0...0)
        #expect(Self.same(backoff.bounds(afterAttempts: 1), 0.8...1.2))
        #expect(Self.same(backoff.bounds(afterAttempts: 2), 1.6...2.4))
        #expect(Self.same(backoff.bounds(afterAttempts: 4), 6.4...9.6))
        #expect(backoff.bounds(afterAttempts: 9).upperBound == 300)
        #expect(Self.same(backoff.bounds(afterAttempts: 50), 240...300))
        #expect(Self.same(backoff.bounds(afterAttempts: Int.max), 240...300))
    }

    @Test func everyDelayLiesWithinItsBounds() {
        let backoff = RetryBackoff.standard
        for attempts in 0...30 {
            let bounds = backoff.bounds(afterAttempts: attempts)
            for _ in 0..<50 {
                let delay = backoff.delay(afterAttempts: attempts)
                #expect(bounds.contains(delay))
                #expect(delay <= backoff.maximum)
            }
        }
    }

    @Test func delaysAreSpreadNotConstant() {
        let delays = Set((0..<20).map { _ in RetryBackoff.standard.delay(afterAttempts: 3) })
        #expect(delays.count > 1)
    }

    @Test func withoutJitterTheDelayIsExact() {
        let backoff = RetryBackoff(initial: 0.5, multiplier: 3, maximum: 10, jitter: 0)
        #expect(backoff.delay(afterAttempts: 1) == 0.5)
        #expect(backoff.delay(afterAttempts: 2) == 1.5)
        #expect(backoff.delay(afterAttempts: 3) == 4.5)
        #expect(backoff.delay(afterAttempts: 4) == 10)
    }

    static func same(_ a: ClosedRange<Double>, _ b: ClosedRange<Double>) -> Bool {
        abs(a.lowerBound - b.lowerBound) < 1e-9 && abs(a.upperBound - b.upperBound) < 1e-9
    }
}

import FerryRuntime
import Synchronization
import Testing

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)

    /// The current instant.
    var now: ContinuousClock.Instant { self.start + self.offset.withLock { $0 } }

    /// Moves time forward.
    func advance(_ duration: Duration) {
        self.offset.withLock { $0 += duration }
    }
}

@Suite struct AddressGuardTests {
    /// A guard on a manual clock.
    private func makeGuard(_ policy: AddressGuard.Policy) -> (AddressGuard, ManualClock) {
        let clock = ManualClock()
        return (AddressGuard(policy: policy, now: { clock.now }), clock)
    }

    private func ticket(_ admission: AddressGuard.Admission) -> AddressGuard.Ticket? {
        if case .accepted(let ticket) = admission { return ticket }
        return nil
    }

    @Test func connectionsFromOneAddressAreCapped() throws {
        let (guard_, _) = self.makeGuard(.init(maximumConnectionsPerAddress: 2))
        let first = try #require(self.ticket(guard_.admit("192.0.2.1")))
        _ = try #require(self.ticket(guard_.admit("192.0.2.1")))
        #expect(guard_.admit("192.0.2.1") == .refused(.tooManyConnectionsFromAddress(limit: 2)))
        // The IPv4-mapped IPv6 form is the same address.
        #expect(guard_.admit("::ffff:192.0.2.1") == .refused(.tooManyConnectionsFromAddress(limit: 2)))
        #expect(self.ticket(guard_.admit("192.0.2.2")) != nil)
        guard_.release(first)
        guard_.release(first)
        #expect(guard_.connectionCount == 2)
        #expect(self.ticket(guard_.admit("192.0.2.1")) != nil)
        #expect(guard_.admit("192.0.2.1") == .refused(.tooManyConnectionsFromAddress(limit: 2)))
    }

    @Test func connectionsInTotalAreCapped() throws {
        let (guard_, _) = self.makeGuard(.init(maximumConnections: 3, maximumConnectionsPerAddress: 2))
        let tickets = try ["192.0.2.1", "192.0.2.1", "2001:db8::1"].map { try #require(self.ticket(guard_.admit($0))) }
        #expect(guard_.admit("2001:db8::2") == .refused(.tooManyConnections(limit: 3)))
        guard_.release(tickets[2])
        #expect(self.ticket(guard_.admit("2001:db8::2")) != nil)
        for ticket in tickets { guard_.release(ticket) }
        #expect(guard_.connectionCount == 1)
    }

    @Test func failuresWithinTheWindowBanUntilTheBanExpires() throws {
        let (guard_, clock) = self.makeGuard(.init(banFailures: 3, banWindow: .seconds(60), banDuration: .seconds(300)))
        let connection = try #require(self.ticket(guard_.admit("198.51.100.7")))
        #expect(guard_.recordAuthenticationFailure("198.51.100.7") == nil)
        clock.advance(.seconds(20))
        #expect(guard_.recordAuthenticationFailure("198.51.100.7") == nil)
        clock.advance(.seconds(20))
        let ban = try #require(guard_.recordAuthenticationFailure("198.51.100.7"))
        #expect(ban.address == "198.51.100.7")
        #expect(ban.until == clock.now + .seconds(300))
        #expect(guard_.admit("198.51.100.7") == .refused(.banned(until: ban.until)))
        #expect(guard_.bans() == [ban])
        // Other addresses are unaffected; the banned address's open connection is the caller's to close.
        #expect(self.ticket(guard_.admit("198.51.100.8")) != nil)
        guard_.release(connection)

        clock.advance(.seconds(299))
        #expect(guard_.admit("198.51.100.7") == .refused(.banned(until: ban.until)))
        clock.advance(.seconds(1))
        #expect(self.ticket(guard_.admit("198.51.100.7")) != nil)
        #expect(guard_.bans().isEmpty)
        // The count starts again after a ban.
        #expect(guard_.recordAuthenticationFailure("198.51.100.7") == nil)
    }

    @Test func failuresSpreadBeyondTheWindowDoNotBan() {
        let (guard_, clock) = self.makeGuard(.init(banFailures: 3, banWindow: .seconds(60)))
        for _ in 0..<10 {
            #expect(guard_.recordAuthenticationFailure("203.0.113.5") == nil)
            clock.advance(.seconds(30))
        }
        #expect(guard_.bans().isEmpty)
        #expect(self.ticket(guard_.admit("203.0.113.5")) != nil)
        // Three failures within 59 s do ban.
        clock.advance(.seconds(60))
        guard_.recordAuthenticationFailure("203.0.113.5")
        clock.advance(.seconds(59))
        guard_.recordAuthenticationFailure("203.0.113.5")
        #expect(guard_.recordAuthenticationFailure("203.0.113.5") != nil)
    }

    @Test func aSuccessResetsTheCount() {
        let (guard_, _) = self.makeGuard(.init(banFailures: 3))
        guard_.recordAuthenticationFailure("203.0.113.9")
        guard_.recordAuthenticationFailure("203.0.113.9")
        guard_.recordAuthenticationSuccess("203.0.113.9")
        #expect(guard_.recordAuthenticationFailure("203.0.113.9") == nil)
        #expect(guard_.recordAuthenticationFailure("203.0.113.9") == nil)
        #expect(guard_.recordAuthenticationFailure("203.0.113.9") != nil)
    }

    @Test func loopbackIsBannedUnlessExempt() throws {
        let (plain, _) = self.makeGuard(.init(banFailures: 1))
        #expect(plain.recordAuthenticationFailure("127.0.0.1") != nil)
        #expect(plain.recordAuthenticationFailure("::1") != nil)

        let exempt = [try #require(AddressRange("127.0.0.0/8")), try #require(AddressRange("fd00::/8"))]
        let (guard_, _) = self.makeGuard(.init(banFailures: 1, exempt: exempt))
        for address in ["127.0.0.1", "127.255.0.9", "::ffff:127.0.0.2", "fd12:3456::1"] {
            #expect(guard_.recordAuthenticationFailure(address) == nil, "\(address)")
            #expect(self.ticket(guard_.admit(address)) != nil, "\(address)")
        }
        for address in ["128.0.0.1", "::1", "fe00::1"] {
            #expect(guard_.recordAuthenticationFailure(address) != nil, "\(address)")
        }
    }

    @Test func banningCanBeTurnedOff() {
        let (guard_, _) = self.makeGuard(.init(banEnabled: false, banFailures: 1))
        #expect(guard_.recordAuthenticationFailure("192.0.2.1") == nil)
        #expect(self.ticket(guard_.admit("192.0.2.1")) != nil)
        #expect(guard_.bans().isEmpty)
    }

    @Test func theTableIsCappedByEvictingTheLeastRecentlySeen() throws {
        let (guard_, clock) = self.makeGuard(
            .init(maximumConnectionsPerAddress: 1, banFailures: 2, maximumTrackedAddresses: 10)
        )
        let held = try #require(self.ticket(guard_.admit("10.0.0.100")))
        for index in 0..<30 {
            guard_.recordAuthenticationFailure("10.0.1.\(index)")
            clock.advance(.milliseconds(10))
            #expect(guard_.trackedAddressCount <= 10)
        }
        // The oldest failures were forgotten, the newest kept.
        #expect(guard_.recordAuthenticationFailure("10.0.1.0") == nil)
        #expect(guard_.recordAuthenticationFailure("10.0.1.29") != nil)
        // An address with an open connection is never evicted.
        #expect(guard_.admit("10.0.0.100") == .refused(.tooManyConnectionsFromAddress(limit: 1)))
        guard_.release(held)
        #expect(self.ticket(guard_.admit("10.0.0.100")) != nil)
    }

    @Test func staleRecordsArePruned() {
        let (guard_, clock) = self.makeGuard(.init(banFailures: 5, banWindow: .seconds(60), banDuration: .seconds(60)))
        for index in 0..<100 { guard_.recordAuthenticationFailure("2001:db8::\(index)") }
        #expect(guard_.trackedAddressCount == 100)
        clock.advance(.seconds(61))
        #expect(self.ticket(guard_.admit("2001:db8::1000")) != nil)
        #expect(guard_.trackedAddressCount == 1)
    }

    @Test func bansAreReportedSoonestFirst() throws {
        let (guard_, clock) = self.makeGuard(.init(banFailures: 1, banDuration: .seconds(100)))
        let first = try #require(guard_.recordAuthenticationFailure("192.0.2.9"))
        clock.advance(.seconds(10))
        let second = try #require(guard_.recordAuthenticationFailure("2001:db8::9"))
        #expect(guard_.bans() == [first, second])
        #expect(second.until - first.until == .seconds(10))
    }

    @Test func addressRanges() throws {
        let network = try #require(AddressRange("10.1.2.3/8"))
        #expect(network.contains("10.255.0.1"))
        #expect(network.contains("::ffff:10.0.0.1"))
        #expect(!network.contains("11.0.0.1"))
        #expect(!network.contains("not an address"))
        #expect(network == AddressRange("10.0.0.0/8"))
        #expect(network.description == "10.1.2.3/8")
        #expect(AddressRange("0.0.0.0/0")?.contains("203.0.113.1") == true)
        #expect(AddressRange("0.0.0.0/0")?.contains("2001:db8::1") == false)
        #expect(AddressRange("::/0")?.contains("2001:db8::1") == true)
        #expect(AddressRange("2001:db8::/32")?.contains("2001:db8:ffff::1") == true)
        #expect(AddressRange("2001:db8::/32")?.contains("2001:db9::1") == false)
        #expect(AddressRange("::1")?.contains("0:0:0:0:0:0:0:1") == true)
        #expect(AddressRange("::ffff:192.0.2.0/120")?.contains("192.0.2.77") == true)
        #expect(AddressRange("fe80::1")?.contains("fe80::1%eth0") == true)
        for bad in [
            "", "10.0.0.0/33", "10.0.0/8", "256.0.0.1", "01.2.3.4", "1.2.3.4/", "::1/129", "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            "12345::", "g::1", "example.com", "10.0.0.0/-1",
        ] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }
}

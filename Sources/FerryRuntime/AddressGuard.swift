import Synchronization

/// Admission control by remote address: caps connections in total and per address, and bans addresses after
/// repeated authentication failures.
///
/// Every method is synchronous and short, safe to call from any thread, including NIO event loops. Time comes from
/// an injected clock so tests can advance it. Memory is bounded: expired bans and failures older than the window
/// are pruned, and the number of addresses tracked is capped, evicting the least recently seen ones (an address
/// with open connections is never evicted).
public final class AddressGuard: Sendable {
    /// The rules an ``AddressGuard`` enforces.
    public struct Policy: Sendable, Hashable {
        /// Connections admitted at once.
        public var maximumConnections: Int
        /// Connections admitted at once from one address.
        public var maximumConnectionsPerAddress: Int
        /// Whether addresses are banned after failures.
        public var banEnabled: Bool
        /// Failures within ``banWindow`` that ban an address.
        public var banFailures: Int
        /// The span in which ``banFailures`` failures ban an address.
        public var banWindow: Duration
        /// How long a ban lasts.
        public var banDuration: Duration
        /// Addresses and networks never banned.
        public var exempt: [AddressRange]
        /// The most addresses tracked at once.
        public var maximumTrackedAddresses: Int

        /// Creates a policy; each rule defaults to Ferry's default.
        ///
        /// - Parameters:
        ///   - maximumConnections: Connections at once; 1000.
        ///   - maximumConnectionsPerAddress: Connections at once from one address; 20.
        ///   - banEnabled: Whether banning is on; `true`.
        ///   - banFailures: Failures that ban; 10.
        ///   - banWindow: The span they must fall in; 10 minutes.
        ///   - banDuration: How long a ban lasts; 15 minutes.
        ///   - exempt: Addresses never banned; none.
        ///   - maximumTrackedAddresses: Addresses tracked at once; 100,000.
        public init(
            maximumConnections: Int = 1000,
            maximumConnectionsPerAddress: Int = 20,
            banEnabled: Bool = true,
            banFailures: Int = 10,
            banWindow: Duration = .seconds(600),
            banDuration: Duration = .seconds(900),
            exempt: [AddressRange] = [],
            maximumTrackedAddresses: Int = 100_000
        ) {
            self.maximumConnections = maximumConnections
            self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
            self.banEnabled = banEnabled
            self.banFailures = banFailures
            self.banWindow = banWindow
            self.banDuration = banDuration
            self.exempt = exempt
            self.maximumTrackedAddresses = maximumTrackedAddresses
        }
    }

    /// Proof of one admitted connection, handed back to ``release(_:)`` when it ends.
    public struct Ticket: Sendable, Hashable {
        /// The remote address admitted.
        public let address: String
        let id: UInt64
    }

    /// Why a connection was refused.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        /// The address is banned until this instant.
        case banned(until: ContinuousClock.Instant)
        /// The address already has the most connections allowed.
        case tooManyConnectionsFromAddress(limit: Int)
        /// The server already has the most connections allowed.
        case tooManyConnections(limit: Int)

        /// A phrase for logs.
        public var description: String {
            switch self {
            case .banned: "address banned after repeated authentication failures"
            case .tooManyConnectionsFromAddress(let limit): "too many connections from this address (limit \(limit))"
            case .tooManyConnections(let limit): "too many connections (limit \(limit))"
            }
        }
    }

    /// The outcome of ``admit(_:)``.
    public enum Admission: Sendable, Hashable {
        /// The connection may proceed; release the ticket when it ends.
        case accepted(Ticket)
        /// The connection should be closed at once.
        case refused(Refusal)
    }

    /// One banned address.
    public struct Ban: Sendable, Hashable {
        /// The address as given to ``recordAuthenticationFailure(_:)``.
        public var address: String
        /// When the ban ends.
        public var until: ContinuousClock.Instant
    }

    /// What is known about one address.
    private struct Entry {
        /// The address as first seen.
        var address: String
        /// Connections admitted and not yet released.
        var connections = 0
        /// Instants of the most recent failures, oldest first, at most `banFailures` of them.
        var failures: [ContinuousClock.Instant] = []
        /// When the ban ends, if banned.
        var bannedUntil: ContinuousClock.Instant?
        /// The last time the address connected or failed.
        var lastSeen: ContinuousClock.Instant
    }

    /// How an address is tracked: by its 128 bits when it is an IP address, by its text otherwise.
    private enum Key: Hashable {
        case ip(IPAddressBits)
        case text(String)

        init(_ address: String) {
            self = IPAddressBits(parsing: address).map(Key.ip) ?? .text(address)
        }
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var tickets: [UInt64: Key] = [:]
        var nextTicket: UInt64 = 0
        var lastSweep: ContinuousClock.Instant
    }

    /// The rules enforced.
    public let policy: Policy
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// Creates a guard.
    ///
    /// - Parameters:
    ///   - policy: The rules to enforce.
    ///   - now: The clock: the current monotonic instant. `ContinuousClock.now` by default.
    public init(policy: Policy, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.policy = policy
        self.now = now
        self.state = Mutex(State(lastSweep: now()))
    }

    /// Decides whether a new connection from `address` may proceed: refused while the address is banned, when it
    /// already has ``Policy/maximumConnectionsPerAddress`` connections, or when the server has
    /// ``Policy/maximumConnections``.
    ///
    /// - Parameter address: The remote IP address as text (IPv4, IPv6 or IPv4-mapped IPv6).
    /// - Returns: A ticket to ``release(_:)`` when the connection ends, or the reason for refusal.
    public func admit(_ address: String) -> Admission {
        let key = Key(address)
        let now = self.now()
        return self.state.withLock { state in
            self.sweepIfDue(&state, now: now)
            if let entry = state.entries[key], let until = entry.bannedUntil, until > now {
                return .refused(.banned(until: until))
            }
            let current = state.entries[key]?.connections ?? 0
            if current >= self.policy.maximumConnectionsPerAddress {
                return .refused(.tooManyConnectionsFromAddress(limit: self.policy.maximumConnectionsPerAddress))
            }
            if state.tickets.count >= self.policy.maximumConnections {
                return .refused(.tooManyConnections(limit: self.policy.maximumConnections))
            }
            self.update(&state, key, address: address, now: now) { $0.connections += 1 }
            state.nextTicket += 1
            state.tickets[state.nextTicket] = key
            return .accepted(Ticket(address: address, id: state.nextTicket))
        }
    }

    /// Ends the connection a ticket was given for. Releasing a ticket again does nothing.
    public func release(_ ticket: Ticket) {
        self.state.withLock { state in
            guard let key = state.tickets.removeValue(forKey: ticket.id) else { return }
            state.entries[key]?.connections -= 1
        }
    }

    /// Records a failed authentication from `address`; ``Policy/banFailures`` failures within
    /// ``Policy/banWindow`` ban the address for ``Policy/banDuration``. Exempt addresses are never banned.
    ///
    /// - Returns: The ban this failure started, if it started one.
    @discardableResult
    public func recordAuthenticationFailure(_ address: String) -> Ban? {
        guard self.policy.banEnabled, !self.isExempt(address) else { return nil }
        let key = Key(address)
        let now = self.now()
        return self.state.withLock { state in
            self.sweepIfDue(&state, now: now)
            var ban: Ban?
            self.update(&state, key, address: address, now: now) { entry in
                if let until = entry.bannedUntil {
                    guard until <= now else { return }
                    entry.bannedUntil = nil
                }
                entry.failures.removeAll { now - $0 >= self.policy.banWindow }
                entry.failures.append(now)
                if entry.failures.count > self.policy.banFailures { entry.failures.removeFirst() }
                if entry.failures.count >= self.policy.banFailures {
                    let until = now + self.policy.banDuration
                    entry.bannedUntil = until
                    entry.failures = []
                    ban = Ban(address: entry.address, until: until)
                }
            }
            return ban
        }
    }

    /// Records a successful authentication from `address`, forgetting its earlier failures.
    public func recordAuthenticationSuccess(_ address: String) {
        let key = Key(address)
        let now = self.now()
        self.state.withLock { state in
            guard var entry = state.entries[key] else { return }
            entry.failures = []
            state.entries[key] = Self.isRemovable(entry, now: now, window: self.policy.banWindow) ? nil : entry
        }
    }

    /// The addresses banned now, soonest to expire first.
    public func bans() -> [Ban] {
        let now = self.now()
        return self.state.withLock { state in
            state.entries.values.compactMap { entry in
                guard let until = entry.bannedUntil, until > now else { return nil }
                return Ban(address: entry.address, until: until)
            }
        }
        .sorted { ($0.until, $0.address) < ($1.until, $1.address) }
    }

    /// Connections admitted and not yet released.
    public var connectionCount: Int {
        self.state.withLock { $0.tickets.count }
    }

    /// Addresses tracked: with open connections, recent failures or a ban.
    public var trackedAddressCount: Int {
        self.state.withLock { $0.entries.count }
    }

    private func isExempt(_ address: String) -> Bool {
        guard !self.policy.exempt.isEmpty, let bits = IPAddressBits(parsing: address) else { return false }
        return self.policy.exempt.contains { $0.contains(bits) }
    }

    /// Changes (creating if needed) the entry of `key`, then keeps the table within its cap.
    private func update(
        _ state: inout State,
        _ key: Key,
        address: String,
        now: ContinuousClock.Instant,
        _ change: (inout Entry) -> Void
    ) {
        var entry = state.entries.removeValue(forKey: key) ?? Entry(address: address, lastSeen: now)
        entry.lastSeen = now
        change(&entry)
        state.entries[key] = entry
        if state.entries.count > self.policy.maximumTrackedAddresses {
            self.shrink(&state, now: now, keeping: key)
        }
    }

    /// Whether an entry holds nothing worth keeping: no connection, no ban in force, no failure in the window.
    private static func isRemovable(_ entry: Entry, now: ContinuousClock.Instant, window: Duration) -> Bool {
        entry.connections == 0 && (entry.bannedUntil.map { $0 <= now } ?? true)
            && entry.failures.allSatisfy { now - $0 >= window }
    }

    /// Prunes stale entries at most once a minute (or once a ban window, if shorter).
    private func sweepIfDue(_ state: inout State, now: ContinuousClock.Instant) {
        guard now - state.lastSweep >= min(.seconds(60), self.policy.banWindow) else { return }
        state.lastSweep = now
        self.prune(&state, now: now)
    }

    private func prune(_ state: inout State, now: ContinuousClock.Instant) {
        let window = self.policy.banWindow
        state.entries = state.entries.filter { !Self.isRemovable($0.value, now: now, window: window) }
    }

    /// Brings the table under its cap: prunes stale entries, then, if that is not enough, evicts the least
    /// recently seen entries without connections down to 90% of the cap, so eviction runs rarely.
    private func shrink(_ state: inout State, now: ContinuousClock.Instant, keeping kept: Key) {
        self.prune(&state, now: now)
        let cap = self.policy.maximumTrackedAddresses
        guard state.entries.count > cap else { return }
        let target = cap - cap / 10
        let evictable = state.entries.filter { $0.key != kept && $0.value.connections == 0 }
            .sorted { $0.value.lastSeen < $1.value.lastSeen }
        for (key, _) in evictable.prefix(state.entries.count - target) {
            state.entries[key] = nil
        }
    }
}

import Accounts
import Foundation
import Testing

/// What every `TransferLog` must do, as named checks that each get a new, empty log.
enum TransferLogConformance {
    typealias Check = @Sendable (any TransferLog) async throws -> Void

    static let checks: [(name: String, run: Check)] = [
        ("starts empty", startsEmpty),
        ("every field round-trips", roundTrip),
        ("ids are assigned in the order written", ids),
        ("records come back in chronological order", chronological),
        ("filter by user", filterByUser),
        ("filter by since, inclusive", filterBySince),
        ("limit keeps the newest", limit),
        ("filters and limit combine", combined),
    ]

    static var names: [String] { Self.checks.map(\.name) }

    static func run(_ name: String, on log: any TransferLog) async throws {
        guard let check = Self.checks.first(where: { $0.name == name }) else {
            throw TestFailure("no check named \(name)")
        }
        try await check.run(log)
    }

    static func record(_ user: String, at milliseconds: Int64, _ action: TransferAction = .upload) -> TransferRecord {
        TransferRecord(
            time: time(milliseconds),
            user: user,
            protocolName: "sftp",
            action: action,
            path: "/f\(milliseconds)"
        )
    }

    /// The records without their ids, to compare with what was written.
    static func withoutIDs(_ records: [TransferRecord]) -> [TransferRecord] {
        records.map {
            var record = $0
            record.id = nil
            return record
        }
    }

    static func startsEmpty(_ log: any TransferLog) async throws {
        #expect(try await log.records(TransferQuery()).isEmpty)
        #expect(try await log.records(TransferQuery(user: "alice", since: time(0), limit: 10)).isEmpty)
    }

    static func roundTrip(_ log: any TransferLog) async throws {
        let full = TransferRecord(
            time: time(1_795_341_600_123),
            user: "alice",
            clientAddress: "[2001:db8::1]:5555",
            protocolName: "sftp",
            action: .rename,
            path: "/in/a b.txt",
            targetPath: "/out/ü\"=\n.txt",
            bytes: UInt64.max,
            duration: .microseconds(12_345_678_901),
            result: "permission denied",
            sessionID: "3f2a-01"
        )
        let minimal = TransferRecord(time: time(-1), user: "", protocolName: "ftp", action: .loginFailed)
        try await log.record(full)
        try await log.record(minimal)
        let read = try await log.records(TransferQuery())
        #expect(Self.withoutIDs(read) == [minimal, full])
        #expect(read.allSatisfy { $0.id != nil })
        for action in TransferAction.allCases {
            try await log.record(Self.record("actions", at: 5_000, action))
        }
        #expect(try await log.records(TransferQuery(user: "actions")).map(\.action) == TransferAction.allCases)
    }

    static func ids(_ log: any TransferLog) async throws {
        var given = Self.record("alice", at: 1_000)
        given.id = 999
        try await log.record(given)
        try await log.record(Self.record("alice", at: 1_000))
        try await log.record(Self.record("alice", at: 500))
        let read = try await log.records(TransferQuery())
        let ids = read.compactMap(\.id)
        #expect(ids.count == 3 && Set(ids).count == 3)
        #expect(!ids.contains(999))
        // The record at 500 was written last: the largest id, though it comes first.
        #expect(read.first?.timeMilliseconds == 500 && read.first?.id == ids.max())
        #expect(read[1].id! < read[2].id!)
    }

    static func chronological(_ log: any TransferLog) async throws {
        let written = [
            Self.record("a", at: 3_000), Self.record("b", at: 1_000), Self.record("c", at: 2_000),
            Self.record("d", at: 1_000), Self.record("e", at: -5_000),
        ]
        for record in written {
            try await log.record(record)
        }
        let users = try await log.records(TransferQuery()).map(\.user)
        // Equal times keep the order they were written in.
        #expect(users == ["e", "b", "d", "c", "a"])
    }

    static func filterByUser(_ log: any TransferLog) async throws {
        for (index, user) in ["alice", "bob", "Alice", "alice", "alice2"].enumerated() {
            try await log.record(Self.record(user, at: Int64(index) * 1000))
        }
        let alice = try await log.records(TransferQuery(user: "alice"))
        #expect(alice.map(\.timeMilliseconds) == [0, 3_000])
        #expect(try await log.records(TransferQuery(user: "carol")).isEmpty)
        #expect(try await log.records(TransferQuery(user: "Alice")).count == 1)
    }

    static func filterBySince(_ log: any TransferLog) async throws {
        for milliseconds: Int64 in [1_000, 2_000, 2_001, 3_000] {
            try await log.record(Self.record("alice", at: milliseconds))
        }
        func since(_ date: Date) async throws -> [Int64] {
            try await log.records(TransferQuery(since: date)).map(\.timeMilliseconds)
        }
        #expect(try await since(time(2_000)) == [2_000, 2_001, 3_000])
        #expect(try await since(time(2_001)) == [2_001, 3_000])
        // A bound inside a millisecond excludes the records of that millisecond.
        #expect(try await since(Date(timeIntervalSince1970: 2.0005)) == [2_001, 3_000])
        #expect(try await since(time(3_001)) == [])
        #expect(try await since(.distantPast) == [1_000, 2_000, 2_001, 3_000])
    }

    static func limit(_ log: any TransferLog) async throws {
        for milliseconds: Int64 in [5_000, 1_000, 4_000, 2_000, 3_000] {
            try await log.record(Self.record("alice", at: milliseconds))
        }
        func limited(_ limit: Int) async throws -> [Int64] {
            try await log.records(TransferQuery(limit: limit)).map(\.timeMilliseconds)
        }
        #expect(try await limited(2) == [4_000, 5_000])
        #expect(try await limited(1) == [5_000])
        #expect(try await limited(5) == [1_000, 2_000, 3_000, 4_000, 5_000])
        #expect(try await limited(100) == [1_000, 2_000, 3_000, 4_000, 5_000])
        #expect(try await limited(0) == [])
        #expect(try await limited(-1) == [])
    }

    static func combined(_ log: any TransferLog) async throws {
        for index in 0..<20 {
            try await log.record(Self.record(index % 2 == 0 ? "alice" : "bob", at: Int64(index) * 1000))
        }
        let records = try await log.records(TransferQuery(user: "bob", since: time(4_000), limit: 3))
        #expect(records.map(\.timeMilliseconds) == [15_000, 17_000, 19_000])
        #expect(records.allSatisfy { $0.user == "bob" })
        let early = try await log.records(TransferQuery(user: "alice", since: time(14_000), limit: 10))
        #expect(early.map(\.timeMilliseconds) == [14_000, 16_000, 18_000])
    }
}

@Suite("TransferLog conformance")
struct TransferLogConformanceTests {
    @Test(arguments: StoreKind.allCases, TransferLogConformance.names)
    func check(kind: StoreKind, name: String) async throws {
        let (log, directory) = try kind.transferLog()
        try await TransferLogConformance.run(name, on: log)
        withExtendedLifetime(directory) {}
    }
}

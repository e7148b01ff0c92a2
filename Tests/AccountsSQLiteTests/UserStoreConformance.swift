import Accounts
import Foundation
import SSHKeys
import Testing

/// What every `UserStore` must do, as named checks that each get a new, empty store.
enum UserStoreConformance {
    typealias Check = @Sendable (any UserStore) async throws -> Void

    static let checks: [(name: String, run: Check)] = [
        ("starts empty", startsEmpty),
        ("create then read every field", createThenRead),
        ("list is ordered by name, byte-wise", listOrder),
        ("update replaces every field", update),
        ("delete removes only that user", delete),
        ("duplicate names are refused", duplicate),
        ("missing users are reported", notFound),
        ("names are case-sensitive", caseSensitive),
        ("keys with options and comments round-trip", keysRoundTrip),
        ("the disabled flag round-trips", disabledFlag),
    ]

    static var names: [String] { Self.checks.map(\.name) }

    static func run(_ name: String, on store: any UserStore) async throws {
        guard let check = Self.checks.first(where: { $0.name == name }) else {
            throw TestFailure("no check named \(name)")
        }
        try await check.run(store)
    }

    static func fullUser(_ name: String) throws -> User {
        User(
            name: try UserName(name),
            passwordHash: "$y$j9T$abcdefghijklmnop$0123456789abcdefghijklmnopqrstuvwxyzABCDE",
            authorizedKeys: try TestKeys.parsedKeys(),
            homeDirectory: "/home/\(name)",
            uid: 1000,
            gid: UInt32.max,
            permissions: ["list", "download", "upload"],
            isDisabled: false,
            createdAt: time(1_795_341_600_123)
        )
    }

    static func plainUser(_ name: String) throws -> User {
        User(name: try UserName(name), createdAt: time(1_000))
    }

    static func code(of error: any Error) -> AccountsError.Code? {
        (error as? AccountsError)?.code
    }

    static func startsEmpty(_ store: any UserStore) async throws {
        #expect(try await store.users().isEmpty)
        #expect(try await store.user(named: UserName("alice")) == nil)
    }

    static func createThenRead(_ store: any UserStore) async throws {
        let alice = try Self.fullUser("alice")
        let bob = try Self.plainUser("bob")
        try await store.create(alice)
        try await store.create(bob)
        #expect(try await store.user(named: UserName("alice")) == alice)
        let readBob = try #require(try await store.user(named: UserName("bob")))
        #expect(readBob == bob)
        #expect(readBob.passwordHash == nil && readBob.uid == nil && readBob.gid == nil)
        #expect(readBob.permissions.isEmpty && readBob.authorizedKeys.isEmpty && readBob.homeDirectory == "/")
        #expect(try await store.users() == [alice, bob])
    }

    static func listOrder(_ store: any UserStore) async throws {
        for name in ["bob", "alice", "a.b", "Zed", "_x", "a-b", "alice2", "9lives"] {
            try await store.create(try Self.plainUser(name))
        }
        let names = try await store.users().map(\.name.string)
        #expect(names == ["9lives", "Zed", "_x", "a-b", "a.b", "alice", "alice2", "bob"])
    }

    static func update(_ store: any UserStore) async throws {
        try await store.create(try Self.fullUser("alice"))
        try await store.create(try Self.fullUser("bob"))
        var changed = try Self.fullUser("alice")
        changed.passwordHash = nil
        changed.authorizedKeys = [try TestKeys.parsedKeys()[2], try TestKeys.parsedKeys()[0]]
        changed.homeDirectory = "/srv/alice"
        changed.uid = nil
        changed.gid = 0
        changed.permissions = []
        changed.isDisabled = true
        changed.createdAt = time(-86_400_000)
        try await store.update(changed)
        #expect(try await store.user(named: UserName("alice")) == changed)
        #expect(try await store.user(named: UserName("bob")) == (try Self.fullUser("bob")))
        #expect(try await store.users().count == 2)

        changed.authorizedKeys = []
        try await store.update(changed)
        #expect(try await store.user(named: UserName("alice"))?.authorizedKeys == [])
    }

    static func delete(_ store: any UserStore) async throws {
        try await store.create(try Self.fullUser("alice"))
        try await store.create(try Self.fullUser("bob"))
        try await store.delete(named: UserName("alice"))
        #expect(try await store.user(named: UserName("alice")) == nil)
        #expect(try await store.users().map(\.name.string) == ["bob"])
        // The name is free again, and the new user starts without the old one's keys.
        try await store.create(try Self.plainUser("alice"))
        #expect(try await store.user(named: UserName("alice"))?.authorizedKeys == [])
    }

    static func duplicate(_ store: any UserStore) async throws {
        let original = try Self.fullUser("alice")
        try await store.create(original)
        var second = try Self.plainUser("alice")
        second.homeDirectory = "/elsewhere"
        do {
            try await store.create(second)
            Issue.record("a second 'alice' was created")
        } catch {
            #expect(Self.code(of: error) == .userExists, "\(error)")
            #expect("\(error)".contains("alice"))
        }
        #expect(try await store.user(named: UserName("alice")) == original)
        #expect(try await store.users().count == 1)
    }

    static func notFound(_ store: any UserStore) async throws {
        try await store.create(try Self.plainUser("alice"))
        do {
            try await store.update(try Self.plainUser("bob"))
            Issue.record("updating a missing user succeeded")
        } catch {
            #expect(Self.code(of: error) == .userNotFound, "\(error)")
        }
        do {
            try await store.delete(named: UserName("bob"))
            Issue.record("deleting a missing user succeeded")
        } catch {
            #expect(Self.code(of: error) == .userNotFound, "\(error)")
        }
        #expect(try await store.user(named: UserName("bob")) == nil)
        #expect(try await store.users().map(\.name.string) == ["alice"])
    }

    static func caseSensitive(_ store: any UserStore) async throws {
        try await store.create(try Self.plainUser("alice"))
        try await store.create(try Self.fullUser("Alice"))
        #expect(try await store.user(named: UserName("ALICE")) == nil)
        #expect(try await store.user(named: UserName("Alice"))?.homeDirectory == "/home/Alice")
        #expect(try await store.users().map(\.name.string) == ["Alice", "alice"])
    }

    static func keysRoundTrip(_ store: any UserStore) async throws {
        let keys = try TestKeys.parsedKeys()
        var user = try Self.plainUser("alice")
        user.authorizedKeys = keys
        try await store.create(user)
        let read = try #require(try await store.user(named: UserName("alice"))).authorizedKeys
        #expect(read == keys)
        #expect(read.map(\.comment) == ["alice@laptop", "ci key 2", nil])
        #expect(read.map(\.line) == [2, 3, 5])
        #expect(read[1].forcedCommand == "/bin/echo \"hi there\", ok")
        #expect(read[1].values(of: "from") == ["10.0.0.0/8,!10.1.*"])
        #expect(read[2].isRestricted && read[2].permitsPTY && read[2].expiryDate != nil)
        #expect(read[2].values(of: "environment") == ["A=b\\c"])
        #expect(read.map(\.key) == [TestKeys.ed25519, TestKeys.ecdsa, TestKeys.rsa])
    }

    static func disabledFlag(_ store: any UserStore) async throws {
        var user = try Self.plainUser("alice")
        user.isDisabled = true
        try await store.create(user)
        #expect(try await store.user(named: UserName("alice"))?.isDisabled == true)
        user.isDisabled = false
        try await store.update(user)
        #expect(try await store.user(named: UserName("alice"))?.isDisabled == false)
        #expect(try await store.users().map(\.isDisabled) == [false])
    }
}

@Suite("UserStore conformance")
struct UserStoreConformanceTests {
    @Test(arguments: StoreKind.allCases, UserStoreConformance.names)
    func check(kind: StoreKind, name: String) async throws {
        let (store, directory) = try kind.userStore()
        try await UserStoreConformance.run(name, on: store)
        withExtendedLifetime(directory) {}
    }
}

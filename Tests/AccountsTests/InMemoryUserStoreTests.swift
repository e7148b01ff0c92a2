import Foundation
import Testing

@testable import Accounts

@Suite("InMemoryUserStore")
struct InMemoryUserStoreTests {
    private func user(_ name: String, hash: String? = nil) throws -> User {
        User(name: try UserName(name), passwordHash: hash, createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test("create, get, list, update, delete")
    func crud() async throws {
        let store = try InMemoryUserStore()
        #expect(await store.users().isEmpty)
        try await store.create(try self.user("bob"))
        try await store.create(try self.user("alice", hash: "$y$x$y"))
        #expect(await store.users().map(\.name.string) == ["alice", "bob"])
        #expect(try await store.user(named: UserName("alice"))?.passwordHash == "$y$x$y")
        #expect(try await store.user(named: UserName("carol")) == nil)

        var bob = try #require(try await store.user(named: UserName("bob")))
        bob.isDisabled = true
        bob.uid = 1000
        bob.permissions = ["list", "download"]
        try await store.update(bob)
        #expect(try await store.user(named: UserName("bob")) == bob)

        try await store.delete(named: UserName("bob"))
        #expect(try await store.user(named: UserName("bob")) == nil)
        #expect(await store.users().map(\.name.string) == ["alice"])
    }

    @Test("duplicates and missing users are clear errors")
    func errors() async throws {
        let store = try InMemoryUserStore([try self.user("alice")])
        await #expect(throws: AccountsError(.userExists, "user 'alice' already exists")) {
            try await store.create(try self.user("alice"))
        }
        await #expect(throws: AccountsError(.userNotFound, "no user 'bob'")) {
            try await store.update(try self.user("bob"))
        }
        await #expect(throws: AccountsError(.userNotFound, "no user 'bob'")) {
            try await store.delete(named: UserName("bob"))
        }
        #expect(throws: AccountsError.self) {
            _ = try InMemoryUserStore([try self.user("x"), try self.user("x")])
        }
    }

    @Test("works through the protocol")
    func existential() async throws {
        let store: any UserStore = try InMemoryUserStore()
        try await store.create(try self.user("eve"))
        #expect(try await store.users().count == 1)
    }

    @Test("a user's description never shows the hash")
    func description() throws {
        let user = try self.user("alice", hash: "$y$j9T$salt$hash")
        #expect(!"\(user)".contains("$y$"))
        #expect("\(user)".contains("alice"))
    }
}

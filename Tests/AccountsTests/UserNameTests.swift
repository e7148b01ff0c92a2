import Testing

@testable import Accounts

@Suite("UserName")
struct UserNameTests {
    @Test(
        "valid names",
        arguments: ["a", "alice", "Bob_2", "a.b-c", "_svc", "0", "x-", String(repeating: "n", count: 64)]
    )
    func valid(_ name: String) throws {
        #expect(UserName.isValid(name))
        #expect(try UserName(name).string == name)
    }

    @Test(
        "invalid names",
        arguments: [
            "", "-a", ".a", "a b", "a/b", "a:b", "é", "a\u{0}", "a\n", "root@host", "a+b",
            String(repeating: "n", count: 65),
        ]
    )
    func invalid(_ name: String) {
        #expect(!UserName.isValid(name))
        #expect(throws: AccountsError.self) { try UserName(name) }
        do {
            _ = try UserName(name)
        } catch {
            #expect(error.code == .invalidUserName)
        }
    }

    @Test("names order bytewise")
    func ordering() throws {
        let names = try ["b", "B", "a", "a.b", "_"].map { try UserName($0) }
        #expect(names.sorted().map(\.string) == ["B", "_", "a", "a.b", "b"])
    }
}

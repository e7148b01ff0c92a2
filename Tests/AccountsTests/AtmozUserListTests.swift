import Testing

@testable import Accounts

@Suite("AtmozUserList")
struct AtmozUserListTests {
    static let yescrypt = "$y$j9T$UuzqDCLc.hEr.KKUxEJ/c.$yxHCUZ5WavLc.Fhuf9svGASCCq6hN1SwCOdYpt8ZC21"

    struct Good: Sendable, CustomTestStringConvertible {
        var text: String
        var name: String
        var password: AtmozUserList.Password
        var uid: UInt32? = nil
        var gid: UInt32? = nil
        var directories: [String] = []
        var testDescription: String { self.text }
    }

    @Test(
        "well-formed entries",
        arguments: [
            Good(text: "foo:pass", name: "foo", password: .plaintext("pass")),
            Good(text: "foo:", name: "foo", password: .none),
            Good(text: "foo::1001", name: "foo", password: .none, uid: 1001),
            Good(text: "foo:pass:1001:100", name: "foo", password: .plaintext("pass"), uid: 1001, gid: 100),
            Good(text: "foo:pass:::upload", name: "foo", password: .plaintext("pass"), directories: ["upload"]),
            Good(
                text: "foo:pass:1001:100:upload,share/in,,/abs/",
                name: "foo",
                password: .plaintext("pass"),
                uid: 1001,
                gid: 100,
                directories: ["upload", "share/in", "abs"]
            ),
            Good(text: "foo:\(yescrypt):e", name: "foo", password: .encrypted(yescrypt)),
            Good(
                text: "foo:\(yescrypt):e:1001:100:in,out",
                name: "foo",
                password: .encrypted(yescrypt),
                uid: 1001,
                gid: 100,
                directories: ["in", "out"]
            ),
            Good(text: "foo:pass:0:0", name: "foo", password: .plaintext("pass"), uid: 0, gid: 0),
            Good(text: "foo:pass:4294967295", name: "foo", password: .plaintext("pass"), uid: 4_294_967_295),
            Good(text: "a.b_c-d:p@ss=w0rd!", name: "a.b_c-d", password: .plaintext("p@ss=w0rd!")),
        ]
    )
    func good(_ good: Good) throws {
        let list = AtmozUserList.parse(good.text)
        #expect(list.errors.isEmpty, "\(list.errors)")
        let entry = try #require(list.entries.first)
        #expect(list.entries.count == 1)
        #expect(entry.name.string == good.name)
        #expect(entry.password == good.password)
        #expect(entry.uid == good.uid)
        #expect(entry.gid == good.gid)
        #expect(entry.directories == good.directories)
        #expect(entry.line == 1)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var userName: String?
        var messageContains: String
        var testDescription: String { self.text }
    }

    @Test(
        "malformed entries",
        arguments: [
            Bad(text: "foo", userName: "foo", messageContains: "missing ':'"),
            Bad(text: ":pass", userName: nil, messageContains: "must not be empty"),
            Bad(text: "-foo:pass", userName: nil, messageContains: "must not start"),
            Bad(text: "fo/o:pass", userName: nil, messageContains: "may only contain"),
            Bad(text: "foo::e", userName: "foo", messageContains: "encrypted password is empty"),
            Bad(text: "foo:hunter2:e", userName: "foo", messageContains: "not a supported crypt hash"),
            Bad(text: "foo:$1$fE3XjAWA$O3ieY6mjy9JlbAJo/OaxU1:e", userName: "foo", messageContains: "MD5"),
            Bad(text: "foo:hunter2:abc", userName: "foo", messageContains: "uid (field 3)"),
            Bad(text: "foo:hunter2:e1:", userName: "foo", messageContains: "uid (field 3)"),
            Bad(text: "foo:hunter2:-1", userName: "foo", messageContains: "uid"),
            Bad(text: "foo:hunter2:4294967296", userName: "foo", messageContains: "uid"),
            Bad(text: "foo:hunter2:+5", userName: "foo", messageContains: "uid"),
            Bad(text: "foo:hunter2:1:x", userName: "foo", messageContains: "gid (field 4)"),
            Bad(text: "foo:\(yescrypt):e:1:x", userName: "foo", messageContains: "gid (field 5)"),
            Bad(text: "foo:hunter2:1:2:d:extra", userName: "foo", messageContains: "too many"),
            Bad(text: "foo:hunter2:1:2:../up", userName: "foo", messageContains: "directory"),
            Bad(text: "foo:hunter2:1:2:a/./b", userName: "foo", messageContains: "directory"),
            Bad(text: "foo:\(String(repeating: "p", count: 256))", userName: "foo", messageContains: "longer"),
        ]
    )
    func bad(_ bad: Bad) throws {
        let list = AtmozUserList.parse(bad.text)
        #expect(list.entries.isEmpty)
        let error = try #require(list.errors.first)
        #expect(list.errors.count == 1)
        #expect(error.userName?.string == bad.userName)
        #expect(error.message.contains(bad.messageContains), "\(error.message)")
        #expect(error.line == 1)
        #expect(error.entry == 1)
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("$1$"))
    }

    @Test("entries are separated by spaces and newlines; comments and blank lines are skipped")
    func separators() throws {
        let text = """
            # users
            alice:pw1:1001 bob::1002\tcarol:pw3

              # indented comment
            dave:\(Self.yescrypt):e:1004:100:in\r
            bad:pw:x eve:pw5
            """
        let list = AtmozUserList.parse(text)
        #expect(list.entries.map(\.name.string) == ["alice", "bob", "carol", "dave", "eve"])
        #expect(list.entries.map(\.line) == [2, 2, 2, 5, 6])
        #expect(list.entries[3].directories == ["in"])
        #expect(list.errors.count == 1)
        #expect(list.errors.first?.line == 6)
        #expect(list.errors.first?.entry == 5)
        #expect(list.errors.first?.userName?.string == "bad")
    }

    @Test("a name listed twice keeps the first entry")
    func duplicates() {
        let list = AtmozUserList.parse("foo:a foo:b")
        #expect(list.entries.map(\.password) == [.plaintext("a")])
        #expect(list.errors.map(\.entry) == [2])
        #expect(list.errors.first?.message.contains("more than once") == true)
    }

    @Test("empty input has no entries and no errors")
    func empty() {
        for text in ["", "   ", "\n\n", "# only a comment"] {
            let list = AtmozUserList.parse(text)
            #expect(list.entries.isEmpty)
            #expect(list.errors.isEmpty)
        }
    }

    @Test("passwords are redacted in descriptions")
    func redaction() {
        let list = AtmozUserList.parse("foo:hunter2 bar:\(Self.yescrypt):e")
        #expect(!"\(list.entries)".contains("hunter2"))
        #expect(!"\(list.entries)".contains("$y$"))
    }

    @Test("entries become users: plain passwords are hashed, encrypted ones kept, empty ones key-only")
    func makeUsers() async throws {
        let list = AtmozUserList.parse("alice:pw:1001:100:in bob: carol:\(Self.yescrypt):e")
        let users = try await list.entries.asyncMap { try await $0.makeUser() }
        #expect(users.map(\.name.string) == ["alice", "bob", "carol"])
        let aliceHash = try #require(users[0].passwordHash)
        #expect(aliceHash.hasPrefix("$y$"))
        #expect(PasswordHasher.verify("pw", against: aliceHash))
        #expect(users[0].uid == 1001 && users[0].gid == 100)
        #expect(users[0].homeDirectory == "/")
        #expect(users[1].passwordHash == nil)
        #expect(users[2].passwordHash == Self.yescrypt)
        #expect(PasswordHasher.verify("correct horse", against: users[2].passwordHash!))
    }
}

extension Array where Element: Sendable {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self {
            result.append(try await transform(element))
        }
        return result
    }
}

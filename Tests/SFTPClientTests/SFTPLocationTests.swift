import SFTPClient
import SFTPProtocol
import Testing

@Suite struct SFTPLocationTests {
    @Test(arguments: [
        ("sftp://bank.example.com", SFTPLocation(user: nil, host: "bank.example.com", port: nil, path: ".")),
        ("sftp://alice@host:2222/outbox", SFTPLocation(user: "alice", host: "host", port: 2222, path: "/outbox")),
        ("sftp://alice@host/~/in/x.csv", SFTPLocation(user: "alice", host: "host", port: nil, path: "in/x.csv")),
        ("sftp://[::1]:2200/a%20b", SFTPLocation(user: nil, host: "::1", port: 2200, path: "/a b")),
        ("sftp://bob;fingerprint=SHA256-abc@h/", SFTPLocation(user: "bob", host: "h", port: nil, path: "/")),
        ("alice@host:reports", SFTPLocation(user: "alice", host: "host", port: nil, path: "reports")),
        ("partner:/srv/out/", SFTPLocation(user: nil, host: "partner", port: nil, path: "/srv/out/")),
        ("[fe80::1]:file", SFTPLocation(user: nil, host: "fe80::1", port: nil, path: "file")),
        ("host:", SFTPLocation(user: nil, host: "host", port: nil, path: ".")),
    ])
    func parses(text: String, expected: SFTPLocation) throws {
        #expect(try SFTPLocation.parse(text) == expected)
    }

    @Test func refusesPasswordsAndBadPortsWithClearMessages() {
        do {
            _ = try SFTPLocation.parse("sftp://alice:hunter2@host/x")
            Issue.record("a password in the URL was accepted")
        } catch {
            #expect(error.description.contains("password"))
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: SFTPLocation.ParseError.self) { try SFTPLocation.parse("sftp://host:99999/") }
        #expect(throws: SFTPLocation.ParseError.self) { try SFTPLocation.parse("sftp://host:ssh/") }
        #expect(throws: SFTPLocation.ParseError.self) { try SFTPLocation.parse("sftp://host/%zz") }
        #expect(throws: SFTPLocation.ParseError.self) { try SFTPLocation.parse("no-colon-here") }
    }

    @Test func tellsRemoteFromLocal() {
        #expect(SFTPLocation.looksRemote("sftp://h/x"))
        #expect(SFTPLocation.looksRemote("alice@host:x"))
        #expect(SFTPLocation.looksRemote("host:x"))
        #expect(!SFTPLocation.looksRemote("./host:x"))
        #expect(!SFTPLocation.looksRemote("/tmp/a:b"))
        #expect(!SFTPLocation.looksRemote("dir/a:b"))
        #expect(!SFTPLocation.looksRemote("report.csv"))
    }

    @Test func printsAsAURL() throws {
        #expect(try SFTPLocation.parse("alice@host:in/x").description == "sftp://alice@host/~/in/x")
        #expect(try SFTPLocation.parse("sftp://[::1]:2222/a").description == "sftp://[::1]:2222/a")
    }
}

@Suite struct SFTPPlainNameTests {
    @Test func onlyPlainNamesMayBecomeLocalPaths() {
        #expect(SFTPPath("report.csv").isPlainName)
        #expect(SFTPPath(".hidden").isPlainName)
        #expect(SFTPPath("...").isPlainName)
        #expect(!SFTPPath("").isPlainName)
        #expect(!SFTPPath(".").isPlainName)
        #expect(!SFTPPath("..").isPlainName)
        #expect(!SFTPPath("../.profile").isPlainName)
        #expect(!SFTPPath("a/b").isPlainName)
        #expect(!SFTPPath(bytes: [0x61, 0x00, 0x62]).isPlainName)
    }
}

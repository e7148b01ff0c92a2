import Foundation
import SSHKeys
import Testing

/// `ferry user …` and `ferry transfers` run as a separate process against a data directory.
@Suite("ferry user and ferry transfers")
struct AccountsCommandTests {
    let directory: TemporaryDirectory
    let dataDirectory: String

    init() throws {
        self.directory = try TemporaryDirectory(prefix: "ferry-accounts")
        self.dataDirectory = self.directory.path("data")
    }

    func ferry(
        _ arguments: [String],
        stdin: TestInput = .none,
        environment: [String: String] = [:],
        withDataDirectory: Bool = true
    ) async throws -> ProcessResult {
        try await TestProcess.run(
            FerryExecutable.path,
            arguments + (withDataDirectory ? ["--data-dir", self.dataDirectory] : []),
            environment: environment,
            stdin: stdin,
            timeout: .seconds(60)
        )
    }

    @Test("add, show, key add and remove, remove; transfers on an empty database")
    func lifecycle() async throws {
        let added = try await ferry(
            ["user", "add", "alice", "--password-stdin", "--uid", "1000", "--read-only"],
            stdin: .data(Data("correct horse\n".utf8))
        )
        #expect(added.succeeded, "\(added)")
        #expect(added.stdoutText.contains("added user 'alice'"))
        let databasePath = self.dataDirectory + "/ferry.sqlite"
        let mode = try FileManager.default.attributesOfItem(atPath: databasePath)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let shown = try await ferry(["user", "show", "alice"]).requireSuccess()
        #expect(shown.stdoutText.contains("password: set"))
        #expect(shown.stdoutText.contains("uid: 1000"))
        #expect(shown.stdoutText.contains("permissions: list,download"))
        #expect(shown.stdoutText.contains("keys: 0"))
        #expect(!shown.stdoutText.contains("$y$") && !shown.stdoutText.contains("correct horse"))

        let key = try await TestKeyPair.generate(.ed25519, in: self.directory, comment: "alice laptop")
        let fingerprint = try SSHPublicKey(openSSHLine: key.publicKeyLine).fingerprint
        let keyAdded = try await ferry(["user", "key", "add", "alice", key.publicKeyPath]).requireSuccess()
        #expect(keyAdded.stdoutText.contains(fingerprint))
        let again = try await ferry(["user", "key", "add", "alice", key.publicKeyPath])
        #expect(again.status == 1)
        #expect(again.stderrText == "error: key \(fingerprint) is already authorized for 'alice'\n")

        let json = try await ferry(["user", "show", "alice", "--json"]).requireSuccess()
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(object["name"] as? String == "alice")
        #expect(object["password"] as? String == "set")
        let keys = try #require(object["keys"] as? [[String: Any]])
        #expect(keys.count == 1)
        #expect(keys.first?["fingerprint"] as? String == fingerprint)
        #expect(keys.first?["comment"] as? String == "alice laptop")
        #expect(!json.stdoutText.contains("$y$"))

        let duplicate = try await ferry(["user", "add", "alice", "--no-password"])
        #expect(duplicate.status == 1)
        #expect(duplicate.stderrText == "error: user 'alice' already exists\n")

        let listed = try await ferry(
            ["user", "list"],
            environment: ["FERRY_DATA_DIR": self.dataDirectory],
            withDataDirectory: false
        ).requireSuccess()
        #expect(listed.stdoutText.split(separator: "\n").last?.hasPrefix("alice ") == true, "\(listed)")

        try await ferry(["user", "key", "remove", "alice", fingerprint]).requireSuccess()
        #expect(try await ferry(["user", "show", "alice"]).requireSuccess().stdoutText.contains("keys: 0"))

        try await ferry(["user", "remove", "alice"]).requireSuccess()
        let missing = try await ferry(["user", "show", "alice"])
        #expect(missing.status == 1)
        #expect(missing.stderrText == "error: no user 'alice'\n")

        let transfers = try await ferry(["transfers", "--json"])
        #expect(transfers.succeeded, "\(transfers)")
        #expect(transfers.stdout.isEmpty)
        for since in ["15m", "2h", "3d", "2026-11-22", "2026-11-22T10:00:00Z"] {
            let result = try await ferry(["transfers", "--since", since, "--user", "alice", "--limit", "5"])
            #expect(result.succeeded && result.stdout.isEmpty, "\(result)")
        }
        let badSince = try await ferry(["transfers", "--since", "yesterday"])
        #expect(!badSince.succeeded && badSince.stderrText.contains("--since 'yesterday'"), "\(badSince)")
    }

    @Test("without a terminal or a password flag, user add refuses and creates nothing")
    func noTerminal() async throws {
        let result = try await ferry(["user", "add", "bob"], stdin: .none)
        #expect(result.status == 1)
        #expect(result.stderrText.hasPrefix("error: standard input is not a terminal"))
        #expect(!FileManager.default.fileExists(atPath: self.dataDirectory))
        // Reading commands do not create the database either.
        let listed = try await ferry(["user", "list"]).requireSuccess()
        #expect(listed.stdout.isEmpty)
        #expect(try await ferry(["transfers"]).requireSuccess().stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: self.dataDirectory))
    }
}

import Foundation
import Testing

/// `ferry serve` driven by OpenSSH's sftp and scp, as partners would.
@Suite("ferry serve with OpenSSH clients", .timeLimit(.minutes(10)))
struct ServeOpenSSHTests {
    @Test("sftp in batch mode: every command, with a password from FERRY_USERS and strict host key checking")
    func everySFTPCommand() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-sftp")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:pass-word-1:::inbox")
        var client = try OpenSSHClient(
            port: server.port,
            directory: directory,
            password: "pass-word-1",
            knownHostsFile: try server.knownHostsFile()
        )
        client.user = "alice"
        var payload = Data(count: 3 * 1024 * 1024 + 17)
        for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let local = try directory.write(payload, to: "local.bin")
        let partial = try directory.write(payload.prefix(1_000_000), to: "partial.bin")
        let back = directory.path("back.bin")
        let commands = [
            "pwd", "ls", "cd inbox", "put \(partial) f.bin", "reput \(local) f.bin", "ls -l",
            "get f.bin \(back)", "!truncate -s 1000 \(back)", "reget f.bin \(back)", "ln -s f.bin link",
            "ln f.bin hard", "chmod 600 f.bin", "rename f.bin g.bin", "rename hard h.bin", "df -h",
            "mkdir sub", "rmdir sub", "rm link", "rm h.bin", "ls -la", "-get missing.bin", "bye",
        ]
        let result = try await TestProcess.run(try client.sftp(batch: commands))
        #expect(result.succeeded, "\(result)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == payload)
        let stored = server.userDirectory("alice") + "/inbox/g.bin"
        #expect(try Data(contentsOf: URL(fileURLWithPath: stored)) == payload)
        let mode = try FileManager.default.attributesOfItem(atPath: stored)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let names = try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("alice") + "/inbox")
        #expect(names == ["g.bin"])
        let actions = try await server.transfers(user: "alice").compactMap { $0["action"] as? String }
        #expect(actions.contains("login"))
        #expect(actions.contains("upload"))
        #expect(actions.contains("download"))
        #expect(actions.contains("rename"))
        let stopped = try await server.stop()
        #expect(stopped.succeeded, "\(stopped)")
    }

    @Test("scp (SFTP mode) up and down with a key added by ferry user add while the server runs")
    func scpWithKey() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-scp")
        let server = try await FerryServeProcess.start(in: directory, users: "seed:unused-pass")
        let key = try await TestKeyPair.generate(.ed25519, in: directory, comment: "bob")
        try await server.addUser("bob", keys: [key.publicKeyPath])
        var client = try OpenSSHClient(
            port: server.port,
            directory: directory,
            identityFiles: [key.privateKeyPath],
            knownHostsFile: try server.knownHostsFile()
        )
        client.user = "bob"
        let payload = Data((0..<700_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let local = try directory.write(payload, to: "up.bin")
        try await TestProcess.run(client.scp([local], to: client.remote("copy.bin"))).requireSuccess()
        let back = directory.path("down.bin")
        try await TestProcess.run(client.scp([client.remote("copy.bin")], to: back)).requireSuccess()
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == payload)
        let legacy = try await TestProcess.run(client.scp([local], to: client.remote("old.bin"), legacyProtocol: true))
        #expect(!legacy.succeeded)
        #expect(!FileManager.default.fileExists(atPath: server.userDirectory("bob") + "/old.bin"))
        try await server.stop()
    }
}

import Foundation
import Testing

@testable import SSHKeys

@Suite struct KnownHostsTests {
    @Test func plainPatternsAndPorts() throws {
        let a = try TestKeys.key(.ed25519).publicKey
        let b = try TestKeys.key(.ecdsaP256).publicKey
        let c = try TestKeys.key(.ecdsaP384).publicKey
        let file = KnownHosts(
            contents: """
                # known hosts
                server.example.com,192.0.2.10 \(a.openSSHLine(comment: "a"))
                [server.example.com]:2222 \(b.openSSHLine(comment: nil))
                *.internal,!secret.internal \(c.openSSHLine(comment: nil))
                @cert-authority *.example.com \(c.openSSHLine(comment: nil))

                """
        )
        #expect(file.errors.isEmpty, "\(file.errors)")
        #expect(file.entries.count == 4)

        #expect(file.check(host: "server.example.com", port: 22, key: a) == .match)
        #expect(file.check(host: "SERVER.example.com", port: 22, key: a) == .match)
        #expect(file.check(host: "192.0.2.10", port: 22, key: a) == .match)
        #expect(file.check(host: "server.example.com", port: 22, key: b) == .mismatch(expected: [a]))
        #expect(file.check(host: "server.example.com", port: 2222, key: b) == .match)
        #expect(file.check(host: "server.example.com", port: 2222, key: a) == .mismatch(expected: [b]))
        #expect(file.check(host: "server.example.com", port: 2200, key: a) == .unknown)
        #expect(file.check(host: "db.internal", port: 22, key: c) == .match)
        #expect(file.check(host: "secret.internal", port: 22, key: c) == .unknown)
        // The cert-authority line does not make c a host key for *.example.com.
        #expect(file.check(host: "other.example.com", port: 22, key: c) == .unknown)
        #expect(file.knownKeys(host: "server.example.com", port: 22) == [a])
    }

    @Test func hashedEntries() throws {
        let key = try TestKeys.key(.ed25519).publicKey
        let other = try TestKeys.key(.ecdsaP521).publicKey
        let line22 = KnownHosts.entry(host: "Files.Example.com", port: 22, key: key, hashed: true)
        let line2022 = KnownHosts.entry(host: "files.example.com", port: 2022, key: other, hashed: true)
        #expect(line22.hasPrefix("|1|"))
        #expect(!line22.contains("example"))
        #expect(line22 != KnownHosts.entry(host: "files.example.com", port: 22, key: key, hashed: true))  // salted
        let file = KnownHosts(contents: line22 + "\n" + line2022 + "\n")
        #expect(file.errors.isEmpty)
        #expect(file.check(host: "files.example.com", port: 22, key: key) == .match)
        #expect(file.check(host: "files.example.com", port: 22, key: other) == .mismatch(expected: [key]))
        #expect(file.check(host: "files.example.com", port: 2022, key: other) == .match)
        #expect(file.check(host: "files.example.org", port: 22, key: key) == .unknown)
        #expect(
            KnownHosts.entry(host: "h", port: 2222, key: key, hashed: false) == "[h]:2222 "
                + key.openSSHLine(comment: nil)
        )
    }

    @Test func publishedHashedEntry() throws {
        // HMAC-SHA1 keyed with the salt over the host name: computed independently for this test.
        let salt = [UInt8](repeating: 0x01, count: 20)
        let field = "|1|" + Data(salt).base64EncodedString() + "|" + "AqgERpE7/atQuHzpEGc1XodOnYc="
        #expect(KnownHosts.hashedMatch(field, name: "example.com"))
        #expect(!KnownHosts.hashedMatch(field, name: "example.org"))
        #expect(!KnownHosts.hashedMatch("|2|" + field.dropFirst(3), name: "example.com"))
        #expect(!KnownHosts.hashedMatch("|1|AAAA|BBBB", name: "example.com"))
    }

    @Test func revokedKeysAreMismatches() throws {
        let good = try TestKeys.key(.ed25519).publicKey
        let revoked = try TestKeys.key(.ecdsaP256).publicKey
        let file = KnownHosts(
            contents: """
                host \(good.openSSHLine(comment: nil))
                host \(revoked.openSSHLine(comment: nil))
                @revoked * \(revoked.openSSHLine(comment: nil))
                """
        )
        #expect(file.check(host: "host", port: 22, key: good) == .match)
        #expect(file.check(host: "host", port: 22, key: revoked) == .mismatch(expected: [good]))
        #expect(file.check(host: "elsewhere", port: 22, key: revoked) == .mismatch(expected: []))
    }

    @Test func skipsUnsupportedAndReportsBrokenLines() throws {
        let key = try TestKeys.key(.ed25519).publicKey
        let file = KnownHosts(
            contents: """
                old ssh-dss AAAAB3NzaC1kc3MAAAAA
                broken ssh-ed25519 AAAA
                @unknown-marker host \(key.openSSHLine(comment: nil))
                lonelyhost
                good \(key.openSSHLine(comment: nil))
                """
        )
        #expect(file.entries.map(\.line) == [5])
        #expect(file.errors.map(\.line) == [2, 3, 4])
    }

    @Test func interoperatesWithSSHKeygen() throws {
        let directory = try TemporaryDirectory()
        let key = try TestKeys.key(.ecdsaP256).publicKey
        let other = try TestKeys.key(.ed25519).publicKey
        // Our hashed entries are found by ssh-keygen -F.
        let ours =
            [
                KnownHosts.entry(host: "ours.example.com", port: 22, key: key, hashed: true),
                KnownHosts.entry(host: "ours.example.com", port: 2222, key: other, hashed: true),
            ].joined(separator: "\n") + "\n"
        let oursPath = try directory.write("ours", ours)
        let found = try Tool.sshKeygen(["-F", "ours.example.com", "-f", oursPath])
        #expect(found.status == 0 && found.output.contains(key.openSSHLine(comment: nil)), "\(found.errorOutput)")
        let foundPort = try Tool.sshKeygen(["-F", "[ours.example.com]:2222", "-f", oursPath])
        #expect(foundPort.status == 0 && foundPort.output.contains(other.openSSHLine(comment: nil)))

        // Entries ssh-keygen -H hashed are found by us.
        let plainPath = try directory.write(
            "theirs",
            "theirs.example.com \(key.openSSHLine(comment: nil))\n"
                + "[theirs.example.com]:2222 \(other.openSSHLine(comment: nil))\n"
        )
        let hashed = try Tool.sshKeygen(["-H", "-f", plainPath])
        #expect(hashed.status == 0, "\(hashed.errorOutput)")
        let file = KnownHosts(contents: try directory.read("theirs"))
        #expect(file.entries.allSatisfy { $0.hosts.hasPrefix("|1|") })
        #expect(file.check(host: "theirs.example.com", port: 22, key: key) == .match)
        #expect(file.check(host: "theirs.example.com", port: 2222, key: other) == .match)
        #expect(file.check(host: "theirs.example.com", port: 22, key: other) == .mismatch(expected: [key]))
    }
}

import Foundation
import NIOCore
import SSHClient
import SSHKeys
import Testing

/// Counts how often a passphrase was asked for, and for which files.
private actor PassphraseLog {
    var asked: [String] = []
    func record(_ path: String) -> Int {
        self.asked.append(path)
        return self.asked.count
    }
}

@Suite struct SSHClientProfileTests {
    private let environment = ["HOME": "/home/me", "USER": "me"]

    private func config(_ text: String) throws -> SSHConfigFile {
        try SSHConfigFile(contents: text, path: "config", homeDirectory: "/home/me")
    }

    /// A fresh directory, removed by the caller.
    private func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-profile-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func defaultsWithoutAConfigFile() {
        let profile = SSHClientProfile.resolve(
            alias: "files.example.com",
            configFile: nil,
            environment: self.environment
        )
        #expect(profile.alias == "files.example.com")
        #expect(profile.host == "files.example.com")
        #expect(profile.port == 22)
        #expect(profile.username == "me")
        #expect(
            profile.identityFiles == [
                "/home/me/.ssh/id_ed25519", "/home/me/.ssh/id_ecdsa", "/home/me/.ssh/id_rsa",
            ]
        )
        #expect(profile.identitiesOnly == false)
        #expect(profile.knownHostsFiles == ["/home/me/.ssh/known_hosts"])
        #expect(profile.strictHostKeyChecking == .strict)
        #expect(profile.connectTimeout == nil)
    }

    @Test func logNameWhenUserIsUnset() {
        let profile = SSHClientProfile.resolve(
            alias: "box",
            configFile: nil,
            environment: ["HOME": "/home/me", "LOGNAME": "logname"]
        )
        #expect(profile.username == "logname")
    }

    @Test func theConfigFileFillsInWhatWasNotGiven() throws {
        let file = try self.config(
            """
            Host box
                HostName 192.0.2.7
                User deploy
                Port 2222
                IdentityFile ~/.ssh/deploy_key
                IdentitiesOnly yes
                UserKnownHostsFile ~/.ssh/known_box ~/.ssh/known_more
                StrictHostKeyChecking accept-new
                ConnectTimeout 7
            """
        )
        let profile = SSHClientProfile.resolve(alias: "box", configFile: file, environment: self.environment)
        #expect(profile.host == "192.0.2.7")
        #expect(profile.port == 2222)
        #expect(profile.username == "deploy")
        #expect(profile.identityFiles == ["/home/me/.ssh/deploy_key"], "no defaults once a file is named")
        #expect(profile.identitiesOnly)
        #expect(profile.knownHostsFiles == ["/home/me/.ssh/known_box", "/home/me/.ssh/known_more"])
        #expect(profile.strictHostKeyChecking == .acceptNew)
        #expect(profile.connectTimeout == .seconds(7))
    }

    @Test func explicitArgumentsBeatTheConfigFile() throws {
        let file = try self.config(
            """
            Host box
                User deploy
                Port 2222
                IdentityFile ~/.ssh/%r_key
                UserKnownHostsFile ~/.ssh/known_box
                StrictHostKeyChecking no
            """
        )
        let profile = SSHClientProfile.resolve(
            alias: "box",
            user: "admin",
            port: 2022,
            identityFiles: ["~/keys/explicit"],
            knownHostsFile: "/srv/known_hosts",
            strictHostKeyChecking: .strict,
            configFile: file,
            environment: self.environment
        )
        #expect(profile.username == "admin")
        #expect(profile.port == 2022)
        #expect(profile.identityFiles == ["/home/me/keys/explicit", "/home/me/.ssh/admin_key"])
        #expect(profile.knownHostsFiles == ["/srv/known_hosts"])
        #expect(profile.strictHostKeyChecking == .strict)
    }

    @Test func keyFilesPassphrasesAndPassword() async throws {
        let directory = try self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try SSHPrivateKey.generate(.ed25519)
        let encrypted = try SSHPrivateKey.generate(.ecdsaP256)
        let skipped = try SSHPrivateKey.generate(.ed25519)
        let plainPath = directory.appendingPathComponent("plain").path
        let encryptedPath = directory.appendingPathComponent("encrypted").path
        let skippedPath = directory.appendingPathComponent("skipped").path
        try plain.openSSHFileContents(comment: "plain", passphrase: nil)
            .write(toFile: plainPath, atomically: true, encoding: .utf8)
        try encrypted.openSSHFileContents(comment: "encrypted", passphrase: Array("right".utf8), rounds: 2)
            .write(toFile: encryptedPath, atomically: true, encoding: .utf8)
        try skipped.openSSHFileContents(comment: "skipped", passphrase: Array("other".utf8), rounds: 2)
            .write(toFile: skippedPath, atomically: true, encoding: .utf8)
        let profile = SSHClientProfile.resolve(
            alias: "box",
            identityFiles: [plainPath, directory.appendingPathComponent("missing").path, encryptedPath, skippedPath],
            configFile: nil,
            environment: self.environment
        )
        let log = PassphraseLog()
        let methods = try await profile.authenticationMethods(password: "pw", environment: self.environment) { path in
            let count = await log.record(path)
            if path == skippedPath { return nil }
            return count == 1 ? "wrong" : "right"
        }
        #expect(await log.asked == [encryptedPath, encryptedPath, skippedPath])
        #expect(methods.count == 3)
        guard methods.count == 3 else { return }
        if case .publicKey(let key) = methods[0] {
            #expect(key.publicKey == plain.publicKey)
        } else {
            Issue.record("expected the plain key first")
        }
        if case .publicKey(let key) = methods[1] {
            #expect(key.publicKey == encrypted.publicKey)
        } else {
            Issue.record("expected the decrypted key second")
        }
        if case .password(let password) = methods[2] {
            #expect(password == "pw")
        } else {
            Issue.record("expected the password last")
        }
    }

    @Test func acceptNewCreatesAMissingSSHDirectory() async throws {
        let directory = try self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = directory.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        let profile = SSHClientProfile.resolve(
            alias: "box",
            strictHostKeyChecking: .acceptNew,
            configFile: nil,
            environment: ["HOME": home, "USER": "me"]
        )
        let key = try SSHPrivateKey.generate(.ed25519).publicKey
        try await profile.hostKeyValidator().validate(host: "box", port: 22, key: key)
        let attributes = try FileManager.default.attributesOfItem(atPath: home + "/.ssh")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let written = try String(contentsOfFile: home + "/.ssh/known_hosts", encoding: .utf8)
        #expect(written.hasPrefix("box ssh-ed25519 "))
        // Known now, even under the strict policy.
        try await SSHKnownHostsValidator(path: home + "/.ssh/known_hosts").validate(host: "box", port: 22, key: key)
    }

    @Test func everyKnownHostsFileIsChecked() async throws {
        let directory = try self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("first").path
        let second = directory.appendingPathComponent("second").path
        let key = try SSHPrivateKey.generate(.ed25519).publicKey
        let other = try SSHPrivateKey.generate(.ed25519).publicKey
        try "[box]:2222 \(key.openSSHLine(comment: nil))\n".write(toFile: second, atomically: true, encoding: .utf8)
        let profile = SSHClientProfile(
            alias: "box",
            host: "box",
            port: 2222,
            username: "me",
            knownHostsFiles: [first, second],
            strictHostKeyChecking: .acceptNew
        )
        try await profile.hostKeyValidator().validate(host: "box", port: 2222, key: key)
        #expect(!FileManager.default.fileExists(atPath: first), "a known host adds nothing")
        await #expect(throws: (any Error).self) {
            try await profile.hostKeyValidator().validate(host: "box", port: 2222, key: other)
        }
        try await profile.hostKeyValidator().validate(host: "new", port: 22, key: other)
        #expect(try String(contentsOfFile: first, encoding: .utf8).hasPrefix("new ssh-ed25519 "))
    }
}

// Ferry's client logging in through a real OpenSSH ssh-agent to a real sshd.

import Foundation
import NIOCore
import SSHClient
import SSHConnection
import SSHKeys
import SSHProtocol
import Testing

@Suite("ssh-agent with OpenSSH", .serialized, .timeLimit(.minutes(5)))
struct SSHAgentTests {
    private func connect(
        _ sshd: PrivateSSHD,
        methods: [SSHClientAuthenticationMethod]
    ) async throws -> SSHClientConnection {
        let hostKeys = try sshd.hostPublicKeys.map { try SSHPublicKey(openSSHLine: $0) }
        let configuration = SSHClientConfiguration(
            username: NSUserName(),
            authentication: methods,
            hostKeyValidator: SSHPinnedHostKeys(hostKeys)
        )
        return try await SSHClientConnection.connect(host: sshd.host, port: sshd.port, configuration: configuration)
    }

    /// Runs `echo ok` on the connection and returns its output.
    private func runEcho(_ connection: SSHClientConnection) async throws -> String {
        let session = try await connection.openSession()
        try await session.exec("echo ok")
        var output = ""
        for try await chunk in session.stdout { output += String(buffer: chunk) }
        _ = try await session.waitForExit()
        return output
    }

    @Test("The agent's keys are listed; certificates are skipped")
    func identities() async throws {
        let dir = try TemporaryDirectory()
        let ed25519 = try await TestKeyPair.generate(.ed25519, in: dir, comment: "ed-key")
        let rsa = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir, comment: "rsa-key")
        let ecdsa = try await TestKeyPair.generate(.ecdsa(), in: dir, comment: "ecdsa-key")
        // A certificate for the Ed25519 key: ssh-add loads it too, and the agent lists it.
        let ca = try await TestKeyPair.generate(.ed25519, in: dir, name: "ca")
        try await TestProcess.run(
            "ssh-keygen",
            ["-q", "-s", ca.privateKeyPath, "-I", "test", "-n", "someone", ed25519.publicKeyPath]
        ).requireSuccess()
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        for key in [ed25519, rsa, ecdsa] { try await agent.add(key) }
        let raw = try await TestProcess.run("ssh-add", ["-L"], environment: agent.environment).requireSuccess()
        #expect(raw.stdoutText.contains("-cert-v01@openssh.com"), "the agent holds the certificate")

        let identities = try await SSHAgentClient(socketPath: agent.socketPath).identities()
        let expected = try [ed25519, rsa, ecdsa].map { try SSHPublicKey(openSSHLine: $0.authorizedKeysLine) }
        #expect(Set(identities.map(\.publicKey)) == Set(expected))
        #expect(identities.count == 3)
        #expect(Set(identities.map(\.comment)).isSuperset(of: ["rsa-key", "ecdsa-key"]))
    }

    @Test("Logging in with Ed25519 and RSA keys held by ssh-agent")
    func login() async throws {
        let dir = try TemporaryDirectory()
        let ed25519 = try await TestKeyPair.generate(.ed25519, in: dir)
        let rsa = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir)
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        try await agent.add(ed25519)
        try await agent.add(rsa)
        let identities = try await SSHAgentClient(socketPath: agent.socketPath).identities()
        #expect(identities.count == 2)
        let configuration = PrivateSSHD.Configuration(
            authorizedKeys: [ed25519.authorizedKeysLine, rsa.authorizedKeysLine]
        )
        try await PrivateSSHD.withServer(configuration) { sshd in
            let all = try await self.connect(sshd, methods: identities.map { .signer($0) })
            #expect(try await self.runEcho(all) == "ok\n")
            await all.close()

            // Each key on its own, so RSA's rsa-sha2-512 signing flag is exercised too.
            for identity in identities {
                let connection = try await self.connect(sshd, methods: [.signer(identity)])
                #expect(try await self.runEcho(connection) == "ok\n")
                await connection.close()
            }
            #expect(sshd.log.contains("Accepted publickey"), "\(sshd.log)")
            #expect(sshd.log.contains("RSA SHA256:"), "\(sshd.log)")
        }
    }

    @Test("Agent keys the server does not accept end in authenticationFailed")
    func wrongKeys() async throws {
        let dir = try TemporaryDirectory()
        let authorized = try await TestKeyPair.generate(.ed25519, in: dir, name: "authorized")
        let first = try await TestKeyPair.generate(.ed25519, in: dir, name: "first")
        let second = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir, name: "second")
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        try await agent.add(first)
        try await agent.add(second)
        let identities = try await SSHAgentClient(socketPath: agent.socketPath).identities()
        try await PrivateSSHD.withServer(.init(authorizedKeys: [authorized.authorizedKeysLine])) { sshd in
            let error = await #expect(throws: SSHError.self) {
                _ = try await self.connect(sshd, methods: identities.map { .signer($0) })
            }
            #expect(error?.code == .authenticationFailed)
        }
    }

    @Test("A key the agent does not hold is refused; a missing socket is a clear error")
    func errors() async throws {
        let dir = try TemporaryDirectory()
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        let stranger = try SSHPrivateKey.generate(.ed25519).publicKey
        let client = SSHAgentClient(socketPath: agent.socketPath)
        #expect(try await client.identities().isEmpty)
        await #expect(throws: SSHAgentError.refused("to sign with ssh-ed25519 \(stranger.fingerprint)")) {
            _ = try await client.sign([1, 2, 3], with: stranger, algorithm: "ssh-ed25519")
        }
        let missing = dir.path("no-agent.sock")
        let error = await #expect(throws: SSHAgentError.self) {
            _ = try await SSHAgentClient(socketPath: missing).identities()
        }
        guard case .cannotConnect(let path, let reason) = error else {
            Issue.record("expected cannotConnect, got \(String(describing: error))")
            return
        }
        #expect(path == missing)
        #expect(reason.contains("No such file"))
    }

    @Test("A resolved profile offers the agent's matching key first (IdentitiesOnly) and logs in")
    func profileWithAgent() async throws {
        let dir = try TemporaryDirectory()
        let home = dir.path("home")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let wanted = try await TestKeyPair.generate(.ed25519, at: home + "/.ssh/wanted")
        let other = try await TestKeyPair.generate(.ed25519, at: home + "/.ssh/other")
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        try await agent.add(other)
        try await agent.add(wanted)
        // Only the public half is left: the agent must be the one to sign.
        try FileManager.default.removeItem(atPath: wanted.privateKeyPath)
        try Data().write(to: URL(fileURLWithPath: wanted.privateKeyPath))
        try await PrivateSSHD.withServer(.init(authorizedKeys: [wanted.authorizedKeysLine])) { sshd in
            try sshd.writeKnownHosts(to: home + "/.ssh/known_hosts")
            let config = try SSHConfigFile(
                contents: """
                    Host test-server
                        HostName \(sshd.host)
                        Port \(sshd.port)
                        User \(NSUserName())
                        IdentityFile ~/.ssh/wanted
                        IdentitiesOnly yes
                    """,
                path: home + "/.ssh/config",
                homeDirectory: home
            )
            let environment = agent.environment.merging(["HOME": home, "USER": "tester"]) { $1 }
            let profile = SSHClientProfile.resolve(alias: "test-server", configFile: config, environment: environment)
            #expect(profile.host == sshd.host)
            #expect(profile.port == sshd.port)
            let methods = try await profile.authenticationMethods(password: nil, environment: environment) { _ in
                nil
            }
            #expect(methods.count == 1)
            if case .signer(let signer) = methods.first {
                #expect(signer.publicKey == (try SSHPublicKey(openSSHLine: wanted.authorizedKeysLine)))
            } else {
                Issue.record("expected the agent's key")
            }
            let connection = try await SSHClientConnection.connect(
                host: profile.host,
                port: profile.port,
                configuration: profile.clientConfiguration(authentication: methods)
            )
            #expect(try await self.runEcho(connection) == "ok\n")
            await connection.close()
        }
    }

    @Test("An encrypted key file the agent already holds is not decrypted: no passphrase is asked")
    func encryptedKeyHeldByTheAgent() async throws {
        let dir = try TemporaryDirectory()
        let home = dir.path("home")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let key = try await TestKeyPair.generate(.ed25519, at: home + "/.ssh/id_ed25519")
        let agent = try await TestSSHAgent.start()
        defer { agent.stop() }
        try await agent.add(key)
        // Replace the file with an encrypted copy of the same key and drop the .pub file.
        let privateKey = try SSHPrivateKey(
            fileContents: String(contentsOfFile: key.privateKeyPath, encoding: .utf8),
            passphrase: nil
        )
        try privateKey.openSSHFileContents(comment: "", passphrase: Array("secret".utf8), rounds: 2)
            .write(toFile: key.privateKeyPath, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: key.publicKeyPath)
        let environment = agent.environment.merging(["HOME": home, "USER": "tester"]) { $1 }
        let config = try SSHConfigFile(contents: "IdentitiesOnly yes\n", path: home + "/.ssh/config")
        let profile = SSHClientProfile.resolve(alias: "box", configFile: config, environment: environment)
        let methods = try await profile.authenticationMethods(password: nil, environment: environment) { path in
            Issue.record("asked for the passphrase of \(path)")
            return nil
        }
        #expect(methods.count == 1)
        if case .signer(let signer) = methods.first {
            #expect(signer.publicKey == privateKey.publicKey)
        } else {
            Issue.record("expected the agent's key")
        }
    }
}

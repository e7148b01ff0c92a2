// Ferry's SSH client against real servers on 127.0.0.1: OpenSSH's sshd, Paramiko's and asyncssh's.

import Crypto
import Foundation
import NIOCore
import SSHClient
import SSHConnection
import SSHKeys
import SSHProtocol
import Testing

@Suite("Client with real servers", .serialized, .timeLimit(.minutes(10)))
struct ClientInteropTests {
    /// Connects Ferry's client with `key` (or a password) to 127.0.0.1:`port`, checking `hostKeys`.
    private func connect(
        port: Int,
        user: String,
        key: String? = nil,
        password: String? = nil,
        hostKeys: [SSHPublicKey],
        rekeyBytes: UInt64? = nil
    ) async throws -> SSHClientConnection {
        var methods: [SSHClientAuthenticationMethod] = []
        if let key {
            methods.append(
                .publicKey(
                    try SSHPrivateKey(fileContents: String(contentsOfFile: key, encoding: .utf8), passphrase: nil)
                )
            )
        }
        if let password { methods.append(.password(password)) }
        var connection = SSHConnectionConfiguration(role: .client)
        if let rekeyBytes { connection.limits.rekeyBytes = rekeyBytes }
        let configuration = SSHClientConfiguration(
            username: user,
            authentication: methods,
            hostKeyValidator: SSHPinnedHostKeys(hostKeys),
            connection: connection
        )
        return try await SSHClientConnection.connect(host: "127.0.0.1", port: port, configuration: configuration)
    }

    /// Sends `size` deterministic bytes through the "echo" subsystem while reading the echo at the same time.
    /// Returns the SHA-256 of what was sent and of what came back, and how many bytes came back.
    private func echo(
        _ connection: SSHClientConnection,
        size: Int
    ) async throws -> (sent: String, received: String, count: Int) {
        let session = try await connection.openSession()
        try await session.requestSubsystem("echo")
        return try await withThrowingTaskGroup(of: (String, Int).self) { group in
            group.addTask {
                var hash = SHA256()
                var counter: UInt64 = 0
                var remaining = size
                while remaining > 0 {
                    var chunk = ByteBuffer()
                    let length = min(remaining, 64 * 1024)
                    chunk.reserveCapacity(length)
                    while chunk.readableBytes + 8 <= length {
                        counter &+= 0x9E37_79B9_7F4A_7C15
                        chunk.writeInteger(counter)
                    }
                    while chunk.readableBytes < length { chunk.writeInteger(UInt8(truncatingIfNeeded: counter)) }
                    chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                    try await session.write(chunk)
                    remaining -= length
                }
                try await session.sendEOF()
                return ("sent:" + hash.finalize().map { String(format: "%02x", $0) }.joined(), size)
            }
            group.addTask {
                var hash = SHA256()
                var count = 0
                for try await chunk in session.stdout {
                    chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                    count += chunk.readableBytes
                }
                return ("received:" + hash.finalize().map { String(format: "%02x", $0) }.joined(), count)
            }
            var sent = ""
            var received = ""
            var count = 0
            for try await (digest, bytes) in group {
                if digest.hasPrefix("sent:") {
                    sent = String(digest.dropFirst(5))
                } else {
                    received = String(digest.dropFirst(9))
                    count = bytes
                }
            }
            _ = try await session.waitForExit()
            return (sent, received, count)
        }
    }

    @Test("256 MiB each way through OpenSSH sshd's echo while both sides re-key every 1 MiB")
    func sshdRekeyStress() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let configuration = PrivateSSHD.Configuration(
            authorizedKeys: [key.authorizedKeysLine],
            extraConfig: ["RekeyLimit 1M"]
        )
        try await PrivateSSHD.withServer(configuration) { sshd in
            let hostKeys = try sshd.hostPublicKeys.map { try SSHPublicKey(openSSHLine: $0) }
            let connection = try await self.connect(
                port: sshd.port,
                user: NSUserName(),
                key: key.privateKeyPath,
                hostKeys: hostKeys,
                rekeyBytes: 1 << 20
            )
            let result = try await self.echo(connection, size: 256 << 20)
            #expect(result.count == 256 << 20)
            #expect(result.sent == result.received)
            #expect(await connection.keyExchangeCount > 256, "both sides re-keyed")
            await connection.close()
        }
    }

    @Test("Every cipher and key exchange against OpenSSH sshd")
    func sshdAlgorithms() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir)
        try await PrivateSSHD.withServer(.init(authorizedKeys: [key.authorizedKeysLine])) { sshd in
            let hostKeys = try sshd.hostPublicKeys.map { try SSHPublicKey(openSSHLine: $0) }
            let privateKey = try SSHPrivateKey(
                fileContents: String(contentsOfFile: key.privateKeyPath, encoding: .utf8),
                passphrase: nil
            )
            for (cipher, kex) in zip(
                [
                    "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr",
                    "aes192-ctr",
                ],
                [
                    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                    "ecdh-sha2-nistp521",
                ]
            ) {
                var connection = SSHConnectionConfiguration(role: .client)
                connection.algorithms.ciphers = [cipher]
                connection.algorithms.keyExchange = [kex]
                let client = try await SSHClientConnection.connect(
                    host: "127.0.0.1",
                    port: sshd.port,
                    configuration: SSHClientConfiguration(
                        username: NSUserName(),
                        authentication: [.publicKey(privateKey)],
                        hostKeyValidator: SSHPinnedHostKeys(hostKeys),
                        connection: connection
                    )
                )
                let result = try await self.echo(client, size: 1 << 20)
                #expect(result.sent == result.received, "\(cipher) \(kex)")
                #expect(await client.negotiatedAlgorithms?.cipherClientToServer == cipher)
                await client.close()
            }
            for mac in [
                "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512",
            ] {
                var connection = SSHConnectionConfiguration(role: .client)
                connection.algorithms.ciphers = ["aes256-ctr"]
                connection.algorithms.macs = [mac]
                let client = try await SSHClientConnection.connect(
                    host: "127.0.0.1",
                    port: sshd.port,
                    configuration: SSHClientConfiguration(
                        username: NSUserName(),
                        authentication: [.publicKey(privateKey)],
                        hostKeyValidator: SSHPinnedHostKeys(hostKeys),
                        connection: connection
                    )
                )
                let result = try await self.echo(client, size: 256 << 10)
                #expect(result.sent == result.received, "\(mac)")
                await client.close()
            }
        }
    }

    @Test("A changed host key is refused with a clear message; known_hosts accept-new records a new one")
    func knownHosts() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        try await PrivateSSHD.withServer(.init(authorizedKeys: [key.authorizedKeysLine])) { sshd in
            let privateKey = try SSHPrivateKey(
                fileContents: String(contentsOfFile: key.privateKeyPath, encoding: .utf8),
                passphrase: nil
            )
            let knownHosts = dir.path("known_hosts")
            func attempt(_ policy: SSHKnownHostsValidator.Policy) async throws {
                let client = try await SSHClientConnection.connect(
                    host: "127.0.0.1",
                    port: sshd.port,
                    configuration: SSHClientConfiguration(
                        username: NSUserName(),
                        authentication: [.publicKey(privateKey)],
                        hostKeyValidator: SSHKnownHostsValidator(path: knownHosts, policy: policy)
                    )
                )
                await client.close()
            }
            // Unknown host, strict: refused.
            let unknown = await #expect(throws: SSHError.self) { try await attempt(.strict) }
            #expect(unknown?.code == .hostKeyNotVerifiable)
            // accept-new records it; strict then accepts it.
            try await attempt(.acceptNew)
            #expect(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("[127.0.0.1]:\(sshd.port)"))
            try await attempt(.strict)
            // A different key for the same host: refused even with accept-new.
            let impostor = try SSHPrivateKey.generate(.ed25519).publicKey
            try (KnownHosts.entry(host: "127.0.0.1", port: sshd.port, key: impostor, hashed: true) + "\n")
                .write(toFile: knownHosts, atomically: true, encoding: .utf8)
            let changed = await #expect(throws: SSHError.self) { try await attempt(.acceptNew) }
            #expect(changed?.message.contains("CHANGED") == true, "\(String(describing: changed))")
        }
    }

    @Test(
        "Paramiko's and asyncssh's servers: password and key logins, echo with re-keying, exit status",
        arguments: [PythonPeer.Script.paramikoServer, .asyncsshServer]
    )
    func pythonServers(script: PythonPeer.Script) async throws {
        let dir = try TemporaryDirectory()
        let hostKey = try await TestKeyPair.generate(.ed25519, in: dir, name: "host_key")
        let key = try await TestKeyPair.generate(.ecdsa(), in: dir)
        let authorizedKeys = try dir.write(key.authorizedKeysLine + "\n", to: "authorized_keys")
        let server = try await PythonPeer.startServer(
            script,
            hostKeys: [hostKey.privateKeyPath],
            authorizedKeysFile: authorizedKeys,
            password: "correct horse",
            rekeyBytes: 1 << 20
        )
        defer { server.stop() }
        let hostKeys = [try SSHPublicKey(openSSHLine: hostKey.publicKeyLine)]
        let byKey = try await self.connect(
            port: server.port,
            user: NSUserName(),
            key: key.privateKeyPath,
            hostKeys: hostKeys,
            rekeyBytes: 1 << 20
        )
        let result = try await self.echo(byKey, size: 8 << 20)
        #expect(result.count == 8 << 20 && result.sent == result.received)
        #expect(await byKey.keyExchangeCount > 2)
        let session = try await byKey.openSession()
        try await session.exec("exit 7")
        try await session.sendEOF()  // the peer's "exit N" reads until EOF
        #expect(try await session.waitForExit().status == 7)
        await byKey.close()

        let byPassword = try await self.connect(
            port: server.port,
            user: NSUserName(),
            password: "correct horse",
            hostKeys: hostKeys
        )
        #expect(try await self.echo(byPassword, size: 100_000).count == 100_000)
        await byPassword.close()

        let refused = await #expect(throws: SSHError.self) {
            _ = try await self.connect(port: server.port, user: NSUserName(), password: "wrong", hostKeys: hostKeys)
        }
        #expect(refused?.code == .authenticationFailed)
    }

    @Test("ferry ssh pipes stdin and stdout through sshd and returns the remote exit status")
    func ferrySSHCommand() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        try await PrivateSSHD.withServer(
            .init(authorizedKeys: [key.authorizedKeysLine], extraConfig: ["RekeyLimit 1M"])
        ) { sshd in
            try sshd.writeKnownHosts(to: dir.path("known_hosts"))
            let common = [
                "ssh", "-p", String(sshd.port), "-i", key.privateKeyPath, "--known-hosts", dir.path("known_hosts"),
            ]
            let input = dir.path("input")
            try await TestData.writeDeterministic(size: 32 << 20, seed: 4, to: input)
            let echo = try await TestProcess.run(
                FerryExecutable.path,
                common + ["--rekey-limit", "1M", "-s", "127.0.0.1", "echo"],
                stdin: .file(input),
                stdout: .file(dir.path("output"))
            )
            #expect(echo.succeeded, "\(echo)")
            #expect(try await Checksum.sha256(file: dir.path("output")) == Checksum.sha256(file: input))
            let status = try await TestProcess.run(
                FerryExecutable.path,
                common + ["127.0.0.1", "echo out; echo err >&2; exit 3"]
            )
            #expect(status.status == 3, "\(status)")
            #expect(status.stdoutText == "out\n")
            #expect(status.stderrText == "err\n")
            let unknownHost = try await TestProcess.run(
                FerryExecutable.path,
                [
                    "ssh", "-p", String(sshd.port), "-i", key.privateKeyPath, "--known-hosts", dir.path("empty"),
                    "127.0.0.1", "true",
                ]
            )
            #expect(unknownHost.status == 255)
            #expect(unknownHost.stderrText.contains("no host key is known"), "\(unknownHost)")
        }
    }
}

// Ferry's SSH server driven by real clients on 127.0.0.1: OpenSSH's ssh and sftp, Paramiko, asyncssh and
// curl (libssh2).

import Foundation
import NIOCore
import NIOPosix
import SSHKeys
import Testing

@Suite("Server with real clients", .serialized, .timeLimit(.minutes(10)))
struct ServerInteropTests {
    @Test("OpenSSH moves 256 MiB each way through echo while both sides re-key every 1 MiB")
    func openSSHRekeyStress() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        var limits = 0
        let server = try await FerryTestServer.start(authorizedKeys: [key.authorizedKeysLine]) {
            $0.connection.limits.rekeyBytes = 1 << 20
            limits = Int($0.connection.limits.rekeyBytes)
        }
        defer { Task { await server.stop() } }
        #expect(limits == 1 << 20)
        try dir.write(server.knownHostsLines, to: "known_hosts")
        var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
        client.user = FerryTestServer.username
        client.options = ["RekeyLimit=1M"]
        let input = dir.path("input")
        let output = dir.path("output")
        try await TestData.writeDeterministic(size: 256 << 20, seed: 11, to: input)
        let result = try await TestProcess.run(
            client.ssh(subsystem: "echo"),
            stdin: .file(input),
            stdout: .file(output),
            timeout: .seconds(600)
        )
        #expect(result.succeeded, "\(result)")
        let attributes = try FileManager.default.attributesOfItem(atPath: output)
        #expect((attributes[.size] as? Int) == 256 << 20)
        #expect(try await Checksum.sha256(file: output) == Checksum.sha256(file: input))
        #expect(await server.waitForNoConnections() == 0)
    }

    @Test("A program-backed subsystem gets every byte, the last ones included, and sends every byte back")
    func processSubsystemLosesNothing() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let server = try await FerryTestServer.start(authorizedKeys: [key.authorizedKeysLine])
        defer { Task { await server.stop() } }
        try dir.write(server.knownHostsLines, to: "known_hosts")
        var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
        client.user = FerryTestServer.username
        let input = dir.path("input")
        try await TestData.writeDeterministic(size: 64 << 20, seed: 12, to: input)
        let digest = try await Checksum.sha256(file: input)
        for round in 0..<3 {
            let output = dir.path("output-\(round)")
            let result = try await TestProcess.run(
                client.ssh(subsystem: "process-echo"),
                stdin: .file(input),
                stdout: .file(output)
            )
            #expect(result.succeeded, "\(result)")
            #expect(try await Checksum.sha256(file: output) == digest, "round \(round)")
        }
    }

    @Test("ssh -vvv shows strict kex and ext-info with server-sig-algs")
    func strictKexAndExtInfo() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let server = try await FerryTestServer.start(authorizedKeys: [key.authorizedKeysLine])
        defer { Task { await server.stop() } }
        try dir.write(server.knownHostsLines, to: "known_hosts")
        var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
        client.user = FerryTestServer.username
        client.options = ["LogLevel=DEBUG3"]
        let result = try await TestProcess.run(client.ssh(subsystem: "discard"), stdin: .data(Data(count: 10)))
        #expect(result.succeeded, "\(result)")
        #expect(result.stderrText.contains("will use strict KEX ordering"), "\(result.stderrText)")
        #expect(result.stderrText.contains("server-sig-algs=<ssh-ed25519,"), "\(result.stderrText)")
    }

    @Test("OpenSSH sftp and scp through the sftp subsystem, by key and by password, every host key type")
    func openSSHSFTP() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ecdsa(), in: dir)
        let server = try await FerryTestServer.start(
            authorizedKeys: [key.authorizedKeysLine],
            hostKeyTypes: [.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa]
        )
        defer { Task { await server.stop() } }
        try dir.write(server.knownHostsLines, to: "known_hosts")
        let payload = try await TestData.deterministic(size: 3 << 20, seed: 5)
        let local = try dir.write(payload, to: "payload")
        for hostKeyAlgorithm in ["ssh-ed25519", "ecdsa-sha2-nistp384", "rsa-sha2-512", "rsa-sha2-256"] {
            var byKey = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
            byKey.user = FerryTestServer.username
            byKey.options = ["HostKeyAlgorithms=\(hostKeyAlgorithm)", "RekeyLimit=256K"]
            let remote = dir.path("up-\(hostKeyAlgorithm)")
            let result = try await TestProcess.run(
                try byKey.sftp(batch: ["put \(local) \(remote)", "get \(remote) \(remote).back", "ls -l \(dir.path)"])
            )
            #expect(result.succeeded, "\(hostKeyAlgorithm): \(result)")
            #expect(FileManager.default.contents(atPath: remote + ".back") == payload)
        }
        var byPassword = try OpenSSHClient(port: server.port, directory: dir, password: FerryTestServer.password)
        byPassword.user = FerryTestServer.username
        let scp = try await TestProcess.run(byPassword.scp([local], to: byPassword.remote(dir.path("by-scp"))))
        #expect(scp.succeeded, "\(scp)")
        #expect(FileManager.default.contents(atPath: dir.path("by-scp")) == payload)
        byPassword.password = "wrong"
        let refused = try await TestProcess.run(byPassword.ssh(subsystem: "discard"))
        #expect(refused.status == 255)
        #expect(refused.stderrText.contains("Permission denied"), "\(refused)")
    }

    @Test("OpenSSH offering only SHA-1 ssh-rsa is refused; rsa-sha2-512 and rsa-sha2-256 log in")
    func openSSHRSASignatures() async throws {
        let dir = try TemporaryDirectory()
        let rsa = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir)
        let server = try await FerryTestServer.start(authorizedKeys: [rsa.authorizedKeysLine])
        defer { Task { await server.stop() } }
        try dir.write(server.knownHostsLines, to: "known_hosts")
        for (algorithm, accepted) in [("rsa-sha2-512", true), ("rsa-sha2-256", true), ("ssh-rsa", false)] {
            var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [rsa.privateKeyPath])
            client.user = FerryTestServer.username
            client.options = ["PubkeyAcceptedAlgorithms=\(algorithm)"]
            let result = try await TestProcess.run(client.ssh(subsystem: "discard"))
            #expect(result.succeeded == accepted, "\(algorithm): \(result)")
        }
    }

    @Test(
        "Paramiko and asyncssh log in by password and by Ed25519, ECDSA and RSA keys",
        arguments: [PythonPeer.Script.paramikoClient, .asyncsshClient]
    )
    func pythonClients(script: PythonPeer.Script) async throws {
        let dir = try TemporaryDirectory()
        let ed25519 = try await TestKeyPair.generate(.ed25519, in: dir)
        let ecdsa = try await TestKeyPair.generate(.ecdsa(bits: 521), in: dir)
        let rsa = try await TestKeyPair.generate(.rsa(bits: 3072), in: dir)
        let stranger = try await TestKeyPair.generate(.ed25519, in: dir, name: "stranger")
        let server = try await FerryTestServer.start(
            authorizedKeys: [ed25519.authorizedKeysLine, ecdsa.authorizedKeysLine, rsa.authorizedKeysLine]
        ) { $0.connection.limits.rekeyBytes = 1 << 20 }
        defer { Task { await server.stop() } }
        let knownHosts = try dir.write(server.knownHostsLines, to: "known_hosts")

        var password = PeerClientOptions(port: server.port, subsystem: "echo")
        password.user = FerryTestServer.username
        password.password = FerryTestServer.password
        password.knownHostsFile = knownHosts
        password.sendBytes = 8 << 20
        password.rekeyBytes = 1 << 20
        let report = try await PythonPeer.runClient(script, password).requireOK()
        #expect(report.bytesReceived == 8 << 20)
        #expect(report.sha256Received == report.sha256Sent)
        #expect((report.kexCount ?? 0) > 2, "\(report)")

        for key in [ed25519, ecdsa, rsa] {
            var options = PeerClientOptions(port: server.port, subsystem: "discard")
            options.user = FerryTestServer.username
            options.keyFiles = [key.privateKeyPath]
            options.knownHostsFile = knownHosts
            options.sendBytes = 1 << 20
            try await PythonPeer.runClient(script, options).requireOK()
        }
        // RSA with each SHA-2 signature algorithm on its own, then SHA-1 only, which must be refused.
        let rsaVariants: [([String], Bool)] =
            script == .paramikoClient
            ? [
                (["--disabled-algorithms", #"{"pubkeys": ["rsa-sha2-256", "ssh-rsa"]}"#], true),
                (["--disabled-algorithms", #"{"pubkeys": ["rsa-sha2-512", "ssh-rsa"]}"#], true),
            ]
            : [
                (["--signature-algs", "rsa-sha2-512"], true),
                (["--signature-algs", "rsa-sha2-256"], true),
                (["--signature-algs", "ssh-rsa"], false),
            ]
        for (arguments, accepted) in rsaVariants {
            var options = PeerClientOptions(port: server.port, exec: "exit 0")
            options.user = FerryTestServer.username
            options.keyFiles = [rsa.privateKeyPath]
            options.knownHostsFile = knownHosts
            options.extraArguments = arguments
            options.expectAuthFailure = !accepted
            let result = try await PythonPeer.runClient(script, options)
            #expect(result.ok, "\(arguments): \(result)")
        }
        var refused = PeerClientOptions(port: server.port)
        refused.user = FerryTestServer.username
        refused.keyFiles = [stranger.privateKeyPath]
        refused.knownHostsFile = knownHosts
        refused.expectAuthFailure = true
        #expect(try await PythonPeer.runClient(script, refused).requireOK().auth == "refused")

        var exitStatus = PeerClientOptions(port: server.port, exec: "exit 7")
        exitStatus.user = FerryTestServer.username
        exitStatus.password = FerryTestServer.password
        exitStatus.knownHostsFile = knownHosts
        exitStatus.expectExitStatus = 7
        try await PythonPeer.runClient(script, exitStatus).requireOK()
        #expect(await server.waitForNoConnections() == 0)
    }

    @Test("curl (libssh2) uploads and downloads over sftp:// with a password and with a key")
    func curlSFTP() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let server = try await FerryTestServer.start(
            authorizedKeys: [key.authorizedKeysLine],
            hostKeyTypes: [.ecdsaP256]
        )
        defer { Task { await server.stop() } }
        // curl checks the host key by the base64 SHA-256 of its blob.
        let fingerprint = String(server.hostKeys[0].publicKey.fingerprint.dropFirst("SHA256:".count)) + "="
        let payload = try await TestData.deterministic(size: 2 << 20, seed: 9)
        let local = try dir.write(payload, to: "payload")
        let base = "sftp://127.0.0.1:\(server.port)\(dir.path)"
        let common = ["-sS", "--hostpubsha256", fingerprint]
        let upload = try await TestProcess.run(
            "curl",
            common + [
                "-u", "\(FerryTestServer.username):\(FerryTestServer.password)", "-T", local, "\(base)/by-password",
            ]
        )
        #expect(upload.succeeded, "\(upload)")
        #expect(FileManager.default.contents(atPath: dir.path("by-password")) == payload)
        let download = try await TestProcess.run(
            "curl",
            common + [
                "-u", "\(FerryTestServer.username):", "--key", key.privateKeyPath, "--pubkey", key.publicKeyPath,
                "-o", dir.path("downloaded"), "\(base)/by-password",
            ]
        )
        #expect(download.succeeded, "\(download)")
        #expect(FileManager.default.contents(atPath: dir.path("downloaded")) == payload)
        let wrongHost = try await TestProcess.run(
            "curl",
            ["-sS", "--hostpubsha256", "AAAA", "-u", "\(FerryTestServer.username):x", "\(base)/"]
        )
        #expect(!wrongHost.succeeded)
    }

    @Test("Keys written by ferry keygen work with OpenSSH's ssh -i")
    func ferryKeygenKeysWorkWithOpenSSH() async throws {
        let dir = try TemporaryDirectory()
        let ferry = FerryExecutable.path
        var lines: [String] = []
        for (type, bits) in [("ed25519", nil), ("ecdsa", "384"), ("rsa", "3072")] as [(String, String?)] {
            var arguments = ["keygen", "-t", type, "-f", dir.path("key-\(type)"), "-C", "test"]
            if let bits { arguments += ["-b", bits] }
            let made = try await TestProcess.run(ferry, arguments)
            #expect(made.succeeded, "\(made)")
            lines.append(try String(contentsOfFile: dir.path("key-\(type).pub"), encoding: .utf8))
        }
        try await PrivateSSHD.withServer(.init(authorizedKeys: lines)) { sshd in
            try sshd.writeKnownHosts(to: dir.path("known_hosts"))
            for type in ["ed25519", "ecdsa", "rsa"] {
                let client = try OpenSSHClient(
                    port: sshd.port,
                    directory: dir,
                    identityFiles: [dir.path("key-\(type)")]
                )
                let result = try await TestProcess.run(client.ssh("echo ok"))
                #expect(result.succeeded && result.stdoutText == "ok\n", "\(type): \(result)\n\(sshd.log)")
            }
        }
    }

    @Test("Garbage, truncation and floods get a disconnect, and the server keeps serving")
    func badInputOverTCP() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let server = try await FerryTestServer.start(authorizedKeys: [key.authorizedKeysLine])
        defer { Task { await server.stop() } }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let cases: [(String, [UInt8])] = [
            ("garbage instead of a version", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("garbage after the version", Array("SSH-2.0-Test\r\n".utf8) + random),
            (
                "oversized packet",
                Array("SSH-2.0-Test\r\n".utf8) + [0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 100)
            ),
            ("truncated packet then close", Array("SSH-2.0-Test\r\n".utf8) + [0, 0, 1, 0, 4, 20]),
            ("endless line", [UInt8](repeating: UInt8(ascii: "S"), count: 100_000)),
        ]
        for (name, bytes) in cases {
            let closedByServer = try await RawTCP.sendAndWaitForClose(port: server.port, bytes: bytes)
            #expect(closedByServer || name.contains("truncated"), "\(name): server did not close the connection")
        }
        #expect(await server.waitForNoConnections() == 0)
        // Still serving.
        try dir.write(server.knownHostsLines, to: "known_hosts")
        var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
        client.user = FerryTestServer.username
        let result = try await TestProcess.run(client.ssh(subsystem: "echo"), stdin: .data(Data("still here".utf8)))
        #expect(result.stdoutText == "still here", "\(result)")
    }
}

/// The `ferry` executable built next to the test bundle.
enum FerryExecutable {
    static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = bundle
        // The test bundle may be a directory (…/ferryPackageTests.xctest) or a file; walk up to the products folder.
        for _ in 0..<4 {
            let ferry = candidate.appendingPathComponent("ferry").path
            if FileManager.default.isExecutableFile(atPath: ferry) { return ferry }
            candidate = candidate.deletingLastPathComponent()
        }
        return bundle.appendingPathComponent("ferry").path
    }
}

/// Writes bytes to a TCP port and reports whether the peer closed the connection in time.
enum RawTCP {
    static func sendAndWaitForClose(port: Int, bytes: [UInt8], timeout: Duration = .seconds(5)) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port)
            .get()
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await channel.closeFuture.get()) != nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            channel.close(promise: nil)
            return first
        }
        return closed
    }
}

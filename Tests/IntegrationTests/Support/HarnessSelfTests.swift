// Checks of the test harness itself, against real third-party peers only (no Ferry code): the process
// helpers, a private OpenSSH sshd driven by OpenSSH's ssh/sftp and by the paramiko and asyncssh client
// peers, and the paramiko and asyncssh server peers driven by OpenSSH's ssh (key and password logins).
// When one of these fails, the machine is missing something `scripts/test.sh` installs, or a peer
// changed behaviour; Ferry's own integration tests would fail for the same reason.

import Foundation
import Testing

@Suite("Test harness")
struct HarnessSelfTests {
    @Test("TestProcess: status, output, stdin, timeout")
    func processBasics() async throws {
        let result = try await TestProcess.run(
            "sh",
            ["-c", "cat; echo err >&2; exit 3"],
            stdin: .data(Data("in".utf8))
        )
        #expect(result.status == 3)
        #expect(result.stdoutText == "in")
        #expect(result.stderrText == "err\n")

        let killed = try await TestProcess.run("sh", ["-c", "kill -9 $$"])
        #expect(killed.terminatedBySignal && killed.status == SIGKILL)

        let started = ContinuousClock.now
        let error = await #expect(throws: TestProcessError.self) {
            try await TestProcess.run("sh", ["-c", "sleep 60 & sleep 60"], timeout: .milliseconds(300))
        }
        #expect(error?.reason == .timedOut(.milliseconds(300)))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("PrivateSSHD with OpenSSH, paramiko and asyncssh clients")
    func privateSSHD() async throws {
        let dir = try TemporaryDirectory()
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let rsaKey = try await TestKeyPair.generate(.rsa(bits: 2048), in: dir)
        let stranger = try await TestKeyPair.generate(.ecdsa(), in: dir)
        let configuration = PrivateSSHD.Configuration(
            authorizedKeys: [key.authorizedKeysLine, rsaKey.authorizedKeysLine],
            extraConfig: ["RekeyLimit 1M"]
        )
        try await PrivateSSHD.withServer(configuration) { sshd in
            let knownHosts = dir.path("known_hosts")
            try sshd.writeKnownHosts(to: knownHosts)

            let client = try OpenSSHClient(port: sshd.port, directory: dir, identityFiles: [key.privateKeyPath])
            let payload = try await TestData.deterministic(size: 100_000, seed: 7)
            let echo = try await TestProcess.run(client.ssh(subsystem: "echo"), stdin: .data(payload))
            #expect(echo.succeeded, "\(echo)\n\(sshd.log)")
            #expect(echo.stdout == payload)
            let discard = try await TestProcess.run(client.ssh(subsystem: "discard"), stdin: .data(payload))
            #expect(discard.succeeded && discard.stdout.isEmpty, "\(discard)")
            let exec = try await TestProcess.run(client.ssh("echo hi; exit 4"))
            #expect(exec.status == 4 && exec.stdoutText == "hi\n", "\(exec)")

            let local = try dir.write(payload, to: "payload")
            let sftp = try await TestProcess.run(
                client.sftp(batch: [
                    "put \(local) \(dir.path("uploaded"))", "get \(dir.path("uploaded")) \(dir.path("downloaded"))",
                ])
            )
            #expect(sftp.succeeded, "\(sftp)")
            #expect(try await Checksum.sha256(file: dir.path("downloaded")) == Checksum.sha256(payload))

            for script in [PythonPeer.Script.paramikoClient, .asyncsshClient] {
                var options = PeerClientOptions(port: sshd.port, subsystem: "echo")
                options.keyFiles = [key.privateKeyPath]
                options.knownHostsFile = knownHosts
                options.sendBytes = 4 << 20
                options.rekeyBytes = 1 << 20
                let report = try await PythonPeer.runClient(script, options).requireOK()
                #expect(report.bytesReceived == 4 << 20)
                #expect(report.sha256Received == report.sha256Sent)
                #expect((report.kexCount ?? 0) > 2, "\(report)")

                var rsa = PeerClientOptions(port: sshd.port, exec: "true")
                rsa.keyFiles = [rsaKey.privateKeyPath]
                rsa.extraArguments =
                    script == .paramikoClient
                    ? ["--disabled-algorithms", #"{"pubkeys": ["rsa-sha2-512"]}"#]
                    : ["--signature-algs", "rsa-sha2-256"]
                try await PythonPeer.runClient(script, rsa).requireOK()

                var refused = PeerClientOptions(port: sshd.port)
                refused.keyFiles = [stranger.privateKeyPath]
                refused.expectAuthFailure = true
                let refusal = try await PythonPeer.runClient(script, refused).requireOK()
                #expect(refusal.auth == "refused")
            }
        }
    }

    @Test(
        "Python server peers with OpenSSH's ssh",
        arguments: [PythonPeer.Script.paramikoServer, .asyncsshServer]
    )
    func serverPeers(script: PythonPeer.Script) async throws {
        let dir = try TemporaryDirectory()
        let hostKey = try await TestKeyPair.generate(.ed25519, in: dir, name: "host_key")
        let key = try await TestKeyPair.generate(.ed25519, in: dir)
        let authorizedKeys = try dir.write(key.authorizedKeysLine + "\n", to: "authorized_keys")
        let server = try await PythonPeer.startServer(
            script,
            hostKeys: [hostKey.privateKeyPath],
            authorizedKeysFile: authorizedKeys,
            password: "correct horse",
            rekeyBytes: 1 << 20
        )
        defer { server.stop() }
        try dir.write("[127.0.0.1]:\(server.port) \(hostKey.authorizedKeysLine)\n", to: "known_hosts")

        var client = try OpenSSHClient(port: server.port, directory: dir, identityFiles: [key.privateKeyPath])
        client.options = ["RekeyLimit=1M"]
        let data = dir.path("data")
        try await TestData.writeDeterministic(size: 8 << 20, seed: 3, to: data)
        let digest = try await Checksum.sha256(file: data)
        let echo = try await TestProcess.run(client.ssh(subsystem: "echo"), stdin: .file(data))
        #expect(echo.succeeded, "\(echo)\n\(server.log)")
        #expect(try await Checksum.sha256(echo.stdout) == digest)
        let channel = try await server.waitForEvent { $0.event == "channel" }
        #expect(channel.sha256Received == digest && channel.exitStatus == 0)

        let exitStatus = try await TestProcess.run(client.ssh("exit 7"))
        #expect(exitStatus.status == 7, "\(exitStatus)")

        var password = try OpenSSHClient(port: server.port, directory: dir, password: "correct horse")
        let login = try await TestProcess.run(password.ssh(["discard"]), stdin: .data(Data(count: 1000)))
        #expect(login.succeeded, "\(login)")
        password.password = "wrong"
        let refused = try await TestProcess.run(password.ssh(["discard"]))
        #expect(refused.status == 255, "\(refused)")
    }
}

import Foundation
import Testing

/// `ferry sftp-server` as OpenSSH sshd's sftp subsystem.
@Suite("ferry sftp-server under sshd", .timeLimit(.minutes(10)))
struct SFTPSubsystemTests {
    @Test("sshd runs ferry sftp-server for sftp: put, get, rename and listing, jailed in --root")
    func underSSHD() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-subsystem")
        let root = try directory.makeDirectory("root")
        let key = try await TestKeyPair.generate(.ed25519, in: directory)
        var configuration = PrivateSSHD.Configuration(authorizedKeys: [key.authorizedKeysLine])
        configuration.subsystems["sftp"] = "\(FerryExecutable.path) sftp-server --root \(root)"
        let sshd = try await PrivateSSHD.start(configuration)
        defer { sshd.stop() }
        try sshd.writeKnownHosts(to: directory.path("known_hosts"))
        let client = try OpenSSHClient(port: sshd.port, directory: directory, identityFiles: [key.privateKeyPath])
        let payload = Data((0..<2_500_000).map { UInt8(truncatingIfNeeded: $0 &* 131 >> 3) })
        let local = try directory.write(payload, to: "local.bin")
        let back = directory.path("back.bin")
        let result = try await TestProcess.run(
            try client.sftp(batch: [
                "pwd", "cd ..", "pwd", "mkdir in", "put \(local) in/a.bin", "rename in/a.bin in/b.bin",
                "get in/b.bin \(back)", "ls -l in", "-get /etc/hostname", "bye",
            ])
        )
        #expect(result.succeeded, "\(result)\n\(sshd.log)")
        #expect(result.stdoutText.contains("Remote working directory: /\n"))
        #expect(!result.stdoutText.contains("Remote working directory: /root"))
        #expect(result.stdoutText.contains("b.bin"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == payload)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/in/b.bin")) == payload)
        #expect(!FileManager.default.fileExists(atPath: directory.path("hostname")))
    }
}

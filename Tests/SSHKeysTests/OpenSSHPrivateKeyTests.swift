import Foundation
import NIOCore
import SSHProtocol
import Testing

@testable import SSHKeys

/// ssh-keygen's `-t` and `-b` for each key type.
let keygenArguments: [SSHKeyType: [String]] = [
    .ed25519: ["-t", "ed25519"],
    .ecdsaP256: ["-t", "ecdsa", "-b", "256"],
    .ecdsaP384: ["-t", "ecdsa", "-b", "384"],
    .ecdsaP521: ["-t", "ecdsa", "-b", "521"],
    .rsa: ["-t", "rsa", "-b", "2048"],
]

/// Asserts that loading fails with `code`.
func expectFailure(
    _ code: SSHError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as SSHError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected SSHError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct OpenSSHPrivateKeyTests {
    static let passphrase = Array("correct horse".utf8)

    @Test(arguments: SSHKeyType.allCases, [false, true])
    func loadsKeysMadeBySSHKeygen(_ type: SSHKeyType, _ encrypted: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("id")
        let made = try Tool.sshKeygen(
            ["-q"] + keygenArguments[type]! + ["-N", encrypted ? "correct horse" : "", "-C", "user@host", "-f", path]
        )
        #expect(made.status == 0, "\(made.errorOutput)")
        let contents = try directory.read("id")
        let publicKey = try SSHPublicKey(fileContents: try directory.read("id.pub"))
        #expect(SSHPrivateKey.isEncrypted(fileContents: contents) == encrypted)

        let key = try SSHPrivateKey(fileContents: contents, passphrase: encrypted ? Self.passphrase : nil)
        #expect(key.publicKey == publicKey)
        #expect(key.type == type)
        #expect(key.comment == "user@host")
        let data = buffer(Array("hello".utf8))
        let algorithm = publicKey.signatureAlgorithms[0]
        #expect(publicKey.isValidSignature(try key.signature(for: data, algorithm: algorithm), for: data))

        if encrypted {
            expectFailure(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: contents, passphrase: nil) }
            expectFailure(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: contents, passphrase: []) }
            expectFailure(.wrongPassphrase) {
                _ = try SSHPrivateKey(fileContents: contents, passphrase: Array("correct horsf".utf8))
            }
        } else {
            // A passphrase given for an unencrypted key is ignored.
            #expect(try SSHPrivateKey(fileContents: contents, passphrase: Self.passphrase).publicKey == publicKey)
        }
    }

    @Test(arguments: [
        "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc",
        "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
    ])
    func loadsEveryAESCipher(_ cipher: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("id")
        let made = try Tool.sshKeygen(
            ["-q", "-t", "ed25519", "-Z", cipher, "-a", "8", "-N", "correct horse", "-C", cipher, "-f", path]
        )
        #expect(made.status == 0, "\(made.errorOutput)")
        let contents = try directory.read("id")
        let key = try SSHPrivateKey(fileContents: contents, passphrase: Self.passphrase)
        #expect(key.publicKey == (try SSHPublicKey(fileContents: try directory.read("id.pub"))))
        #expect(key.comment == cipher)
        expectFailure(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: contents, passphrase: [1, 2, 3]) }
    }

    @Test(arguments: SSHKeyType.allCases, [false, true])
    func sshKeygenReadsOurFiles(_ type: SSHKeyType, _ encrypted: Bool) throws {
        let directory = try TemporaryDirectory()
        let key = try TestKeys.key(type)
        let contents = try key.openSSHFileContents(
            comment: "ferry key",
            passphrase: encrypted ? Self.passphrase : nil
        )
        #expect(contents.hasPrefix("-----BEGIN OPENSSH PRIVATE KEY-----\n"))
        #expect(contents.hasSuffix("-----END OPENSSH PRIVATE KEY-----\n"))
        #expect(SSHPrivateKey.isEncrypted(fileContents: contents) == encrypted)
        let path = try directory.write("id", contents)

        let derived = try Tool.sshKeygen(["-y", "-P", encrypted ? "correct horse" : "", "-f", path])
        #expect(derived.status == 0, "ssh-keygen -y failed: \(derived.errorOutput)")
        #expect(derived.keyFields == key.publicKey.openSSHLine(comment: nil))
        if encrypted {
            #expect(try Tool.sshKeygen(["-y", "-P", "wrong horse", "-f", path]).status != 0)
        }

        // And we read back what we wrote.
        let reloaded = try SSHPrivateKey(fileContents: contents, passphrase: encrypted ? Self.passphrase : nil)
        #expect(reloaded.publicKey == key.publicKey)
        #expect(reloaded.comment == "ferry key")
        let data = buffer([1, 2, 3])
        let algorithm = key.publicKey.signatureAlgorithms[0]
        #expect(key.publicKey.isValidSignature(try reloaded.signature(for: data, algorithm: algorithm), for: data))
    }

    @Test func sshKeygenChangesOurPassphrase() throws {
        // ssh-keygen -p decrypts our file and re-encrypts it with its own code; we then read its output.
        let directory = try TemporaryDirectory()
        let key = try TestKeys.key(.ecdsaP256)
        let path = try directory.write(
            "id",
            try key.openSSHFileContents(comment: "c", passphrase: Self.passphrase, rounds: 4)
        )
        let changed = try Tool.sshKeygen(["-p", "-P", "correct horse", "-N", "battery staple", "-f", path])
        #expect(changed.status == 0, "\(changed.errorOutput)")
        let reloaded = try SSHPrivateKey(
            fileContents: try directory.read("id"),
            passphrase: Array("battery staple".utf8)
        )
        #expect(reloaded.publicKey == key.publicKey)
    }

    @Test func unencryptedFileIsDeterministicApartFromCheckInts() throws {
        let key = try TestKeys.key(.ed25519)
        let contents = try key.openSSHFileContents(comment: "x", passphrase: nil)
        let block = try PEMBlock(parsing: contents)
        var body = ByteBuffer(bytes: block.body)
        #expect(body.readBytes(length: 15) == Array("openssh-key-v1\0".utf8))
        #expect(body.readSSHText() == "none")
        #expect(body.readSSHText() == "none")
        #expect(body.readSSHStringBytes() == [])
        #expect(body.readInteger(as: UInt32.self) == 1)
        #expect(body.readSSHString() == key.publicKey.wireBlob)
        let sectionRead = body.readSSHStringBytes()
        let section = try #require(sectionRead)
        #expect(section.count % 8 == 0)
        #expect(body.readableBytes == 0)
        // Base64 lines are 70 characters, as ssh-keygen writes them.
        let lines = contents.split(separator: "\n")
        #expect(lines.dropFirst().dropLast().dropLast().allSatisfy { $0.count == 70 })
        // An empty passphrase means no encryption.
        #expect(!SSHPrivateKey.isEncrypted(fileContents: try key.openSSHFileContents(comment: "", passphrase: [])))
    }

    @Test func encryptedFileUsesAES256CTRAndBcrypt() throws {
        let contents = try TestKeys.key(.ed25519).openSSHFileContents(comment: "", passphrase: [1], rounds: 3)
        var body = ByteBuffer(bytes: try PEMBlock(parsing: contents).body)
        body.moveReaderIndex(forwardBy: 15)
        #expect(body.readSSHText() == "aes256-ctr")
        #expect(body.readSSHText() == "bcrypt")
        let optionsRead = body.readSSHString()
        var options = try #require(optionsRead)
        #expect(options.readSSHStringBytes()?.count == 16)
        #expect(options.readInteger(as: UInt32.self) == 3)
        #expect(throws: SSHError.self) {
            try TestKeys.key(.ed25519).openSSHFileContents(comment: "", passphrase: [1], rounds: 0)
        }
    }

    @Test func rejectsCorruptFiles() throws {
        let key = try TestKeys.key(.ed25519)
        let contents = try key.openSSHFileContents(comment: "x", passphrase: nil)
        let body = try PEMBlock(parsing: contents).body
        func armored(_ bytes: [UInt8]) -> String {
            PEMBlock(label: "OPENSSH PRIVATE KEY", body: bytes).armored(lineLength: 70)
        }
        expectFailure(.invalidKeyFile) { _ = try SSHPrivateKey(fileContents: "", passphrase: nil) }
        expectFailure(.invalidKeyFile) { _ = try SSHPrivateKey(fileContents: "not a key", passphrase: nil) }
        expectFailure(.invalidKeyFile) {
            _ = try SSHPrivateKey(fileContents: String(contents.dropLast(40)), passphrase: nil)
        }
        expectFailure(.invalidKeyFile) {
            _ = try SSHPrivateKey(
                fileContents: "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!!\n-----END OPENSSH PRIVATE KEY-----\n",
                passphrase: nil
            )
        }
        // Bad magic, and every truncation of the body.
        expectFailure(.invalidKeyFile) {
            _ = try SSHPrivateKey(fileContents: armored([0x41] + body.dropFirst()), passphrase: nil)
        }
        for length in stride(from: 0, to: body.count, by: 7) {
            #expect(throws: SSHError.self) {
                try SSHPrivateKey(fileContents: armored(Array(body[0..<length])), passphrase: nil)
            }
        }
        // Mismatched check integers in an unencrypted file are corruption, not a passphrase problem.
        var section = body
        let sectionStart = body.count - (try Self.privateSectionLength(body))
        section[sectionStart] ^= 1
        expectFailure(.invalidKeyFile) { _ = try SSHPrivateKey(fileContents: armored(section), passphrase: nil) }
        // Bad padding.
        var padded = body
        padded[padded.count - 1] ^= 0x40
        expectFailure(.invalidKeyFile) { _ = try SSHPrivateKey(fileContents: armored(padded), passphrase: nil) }
        // A public key that does not match the private one.
        let other = try SSHPrivateKey.generate(.ed25519).publicKey
        var swapped = body
        let publicStart = 15 + 8 + 4 + 4 + 4 + 4 + 4
        swapped.replaceSubrange(publicStart..<(publicStart + 51), with: Array(other.wireBlob.readableBytesView))
        expectFailure(.invalidKeyFile) { _ = try SSHPrivateKey(fileContents: armored(swapped), passphrase: nil) }
        // Unknown cipher and KDF.
        var unknownCipher = ByteBuffer()
        unknownCipher.writeBytes(Array("openssh-key-v1\0".utf8))
        unknownCipher.writeSSHString("3des-cbc")
        unknownCipher.writeBytes(body[(15 + 4 + 4)...])
        expectFailure(.unsupportedAlgorithm) {
            _ = try SSHPrivateKey(fileContents: armored(Array(unknownCipher.readableBytesView)), passphrase: nil)
        }
        #expect(!SSHPrivateKey.isEncrypted(fileContents: "garbage"))
    }

    /// The length of the private section of an unencrypted single-key body.
    static func privateSectionLength(_ body: [UInt8]) throws -> Int {
        var reader = ByteBuffer(bytes: body)
        reader.moveReaderIndex(forwardBy: 15)
        _ = reader.readSSHString()
        _ = reader.readSSHString()
        _ = reader.readSSHString()
        _ = reader.readInteger(as: UInt32.self)
        _ = reader.readSSHString()
        let section = reader.readSSHString()
        return try #require(section).readableBytes
    }
}

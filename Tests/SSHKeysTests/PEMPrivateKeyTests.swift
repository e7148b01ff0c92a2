import Crypto
import Foundation
import NIOCore
import SSHProtocol
import Testing
import _CryptoExtras

@testable import SSHKeys

@Suite struct PEMPrivateKeyTests {
    static let pemTypes: [SSHKeyType] = [.ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa]

    /// `ssh-keygen -m PEM` writes PKCS#1 / SEC1 (legacy AES-128-CBC when encrypted); `-m PKCS8` writes
    /// PKCS#8 (PBES2 when encrypted).
    @Test(arguments: pemTypes, ["PEM", "PKCS8"])
    func loadsSSHKeygenPEMFiles(_ type: SSHKeyType, _ format: String) throws {
        for encrypted in [false, true] {
            let directory = try TemporaryDirectory()
            let path = directory.file("id")
            let made = try Tool.sshKeygen(
                ["-q", "-m", format] + keygenArguments[type]! + ["-N", encrypted ? "pem passphrase" : "", "-f", path]
            )
            #expect(made.status == 0, "\(made.errorOutput)")
            let contents = try directory.read("id")
            let expectedLabel: String
            switch (format, encrypted) {
            case ("PKCS8", false): expectedLabel = "PRIVATE KEY"
            case ("PKCS8", true): expectedLabel = "ENCRYPTED PRIVATE KEY"
            default: expectedLabel = type == .rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY"
            }
            #expect(try PEMBlock(parsing: contents).label == expectedLabel)
            #expect(SSHPrivateKey.isEncrypted(fileContents: contents) == encrypted)

            let key = try SSHPrivateKey(
                fileContents: contents,
                passphrase: encrypted ? Array("pem passphrase".utf8) : nil
            )
            #expect(key.publicKey == (try SSHPublicKey(fileContents: try directory.read("id.pub"))))
            if encrypted {
                expectFailure(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: contents, passphrase: nil) }
                expectFailure(.wrongPassphrase) {
                    _ = try SSHPrivateKey(fileContents: contents, passphrase: Array("pem passphrasf".utf8))
                }
            }
        }
    }

    @Test func loadsPKCS8Ed25519() throws {
        let crypto = Curve25519.Signing.PrivateKey()
        let key = try SSHPrivateKey(fileContents: crypto.pemRepresentation, passphrase: nil)
        #expect(key.publicKey == SSHPublicKey(crypto.publicKey))
        // The RFC 8410 §10.3 example key.
        let example = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC
            -----END PRIVATE KEY-----
            """
        let rfcKey = try SSHPrivateKey(fileContents: example, passphrase: nil)
        #expect(rfcKey.type == .ed25519)
        #expect(
            Array(rfcKey.publicKey.wireBlob.readableBytesView.suffix(32))
                == hex("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1")
        )
    }

    @Test(.enabled(if: Tool.hasOpenSSL))
    func loadsOpenSSLEncryptedPKCS8Ed25519() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("ed25519.pem")
        let made = try Tool.openssl([
            "genpkey", "-algorithm", "ed25519", "-aes256", "-pass", "pass:openssl pass", "-out", path,
        ])
        #expect(made.status == 0, "\(made.errorOutput)")
        let contents = try directory.read("ed25519.pem")
        #expect(SSHPrivateKey.isEncrypted(fileContents: contents))
        let key = try SSHPrivateKey(fileContents: contents, passphrase: Array("openssl pass".utf8))
        #expect(key.type == .ed25519)
        let publicPEM = try Tool.openssl(["pkey", "-in", path, "-passin", "pass:openssl pass", "-pubout"])
        let openSSLPublic = try Curve25519.Signing.PublicKey(pemRepresentation: publicPEM.output)
        #expect(key.publicKey == SSHPublicKey(openSSLPublic))
        expectFailure(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: contents, passphrase: [0x61]) }
    }

    @Test func loadsCryptoLibraryPEM() throws {
        let p384 = P384.Signing.PrivateKey()
        #expect(
            try SSHPrivateKey(fileContents: p384.pemRepresentation, passphrase: nil).publicKey
                == SSHPublicKey(p384.publicKey)
        )
        let p256 = P256.Signing.PrivateKey()
        let pkcs8 = PEMBlock(label: "PRIVATE KEY", body: Array(p256.derRepresentation)).armored()
        #expect(try SSHPrivateKey(fileContents: pkcs8, passphrase: nil).publicKey == SSHPublicKey(p256.publicKey))
        guard case .rsa(let rsa) = try TestKeys.key(.rsa).backing else {
            Issue.record("not an RSA key")
            return
        }
        #expect(
            try SSHPrivateKey(fileContents: rsa.pemRepresentation, passphrase: nil).publicKey
                == TestKeys.key(.rsa).publicKey
        )
        #expect(
            try SSHPrivateKey(fileContents: rsa.pkcs8PEMRepresentation, passphrase: nil).publicKey
                == TestKeys.key(.rsa).publicKey
        )
    }

    @Test func rejectsUnsupportedAndCorruptPEM() throws {
        expectFailure(.unsupportedAlgorithm) {
            _ = try SSHPrivateKey(
                fileContents: "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n",
                passphrase: nil
            )
        }
        expectFailure(.invalidKeyFile) {
            _ = try SSHPrivateKey(
                fileContents: "-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n",
                passphrase: nil
            )
        }
        let legacy3DES = """
            -----BEGIN RSA PRIVATE KEY-----
            Proc-Type: 4,ENCRYPTED
            DEK-Info: DES-EDE3-CBC,0123456789ABCDEF

            AAAA
            -----END RSA PRIVATE KEY-----
            """
        #expect(SSHPrivateKey.isEncrypted(fileContents: legacy3DES))
        expectFailure(.unsupportedAlgorithm) { _ = try SSHPrivateKey(fileContents: legacy3DES, passphrase: [1]) }
    }

    @Test func derEncoding() throws {
        #expect(DER.objectIdentifierContent("1.2.840.113549.1.1.1") == hex("2a864886f70d010101"))
        #expect(DER.objectIdentifierContent("1.3.132.0.35") == hex("2b81040023"))
        #expect(DER.objectIdentifierContent("2.16.840.1.101.3.4.1.42") == hex("60864801650304012a"))
        #expect(DER.integer([0x80]) == [0x02, 0x02, 0x00, 0x80])
        #expect(DER.integer([0x00, 0x00, 0x7F]) == [0x02, 0x01, 0x7F])
        #expect(DER.integer([]) == [0x02, 0x01, 0x00])
        let long = DER.element(DER.octetStringTag, [UInt8](repeating: 1, count: 300))
        #expect(Array(long.prefix(4)) == [0x04, 0x82, 0x01, 0x2C])
        var reader = DER.Reader(long)
        #expect(try reader.readOctetString().count == 300)
        #expect(reader.isAtEnd)
        var truncated = DER.Reader(Array(long.dropLast()))
        #expect(throws: SSHError.self) { try truncated.readOctetString() }
    }

    @Test func bigNumberRemainder() {
        #expect(BigUInt.remainder([0x01, 0x00], modulo: [0x07]) == [0x04])  // 256 mod 7
        #expect(BigUInt.remainder([0x06], modulo: [0x07]) == [0x06])
        #expect(BigUInt.remainder([0x07], modulo: [0x07]) == [])
        #expect(BigUInt.remainder(hex("ffffffffffffffffffff"), modulo: hex("0100000001")) == hex("ffff"))
        #expect(BigUInt.subtractingOne([0x01, 0x00]) == [0x00, 0xFF])
        #expect(BigUInt.subtractingOne([0x05]) == [0x04])
    }
}

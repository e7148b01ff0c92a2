import Crypto
import Foundation
import NIOCore
import SSHProtocol
import Testing

@testable import SSHKeys

/// The public key of RFC 8032 §7.1 test 1.
let rfc8032PublicKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
/// Its RFC 8709 blob: string "ssh-ed25519", string key.
let rfc8032Blob = hex(
    "0000000b7373682d6564323535313900000020d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
)

/// Builds a blob from already-encoded fields.
func blob(_ body: (inout ByteBuffer) -> Void) -> ByteBuffer {
    var buffer = ByteBuffer()
    body(&buffer)
    return buffer
}

/// The P-256 generator point, uncompressed: a valid public point with well-known coordinates.
let p256Generator = hex(
    "04 6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
        + " 4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"
)

@Suite struct SSHPublicKeyTests {
    @Test func ed25519GoldenBlob() throws {
        let key = try SSHPublicKey(wireBlob: buffer(rfc8032Blob))
        #expect(key.type == .ed25519)
        #expect(key.bits == 256)
        #expect(Array(key.wireBlob.readableBytesView) == rfc8032Blob)
        #expect(key.signatureAlgorithms == ["ssh-ed25519"])
        #expect(key.fingerprint == "SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8")
        #expect(key.md5Fingerprint == "MD5:cf:07:be:9d:68:ae:65:54:6d:a0:93:c3:6f:bd:0d:82")
        #expect(
            key.openSSHLine(comment: "test")
                == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea test"
        )
        // The same key built from the crypto library's type.
        let fromCrypto = SSHPublicKey(try Curve25519.Signing.PublicKey(rawRepresentation: rfc8032PublicKey))
        #expect(fromCrypto == key)
        #expect(fromCrypto.hashValue == key.hashValue)
    }

    @Test func writeAppendsBlobWithoutWrapping() throws {
        let key = try SSHPublicKey(wireBlob: buffer(rfc8032Blob))
        var out = ByteBuffer(bytes: [0xAA])
        key.write(to: &out)
        #expect(Array(out.readableBytesView) == [0xAA] + rfc8032Blob)
    }

    @Test func ecdsaGoldenBlob() throws {
        let encoded = blob {
            $0.writeSSHString("ecdsa-sha2-nistp256")
            $0.writeSSHString("nistp256")
            $0.writeSSHString(p256Generator)
        }
        let key = try SSHPublicKey(wireBlob: encoded)
        #expect(key.type == .ecdsaP256)
        #expect(key.bits == 256)
        #expect(key.signatureAlgorithms == ["ecdsa-sha2-nistp256"])
        #expect(key.wireBlob == encoded)
        #expect(key.fingerprint == "SHA256:SFMVDOrhOSBssOVH9hIcK/Z2XVf1oSVMjNCL8u2aICY")
        let line = key.openSSHLine(comment: nil)
        #expect(line.hasPrefix("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGsX0fLh"))
        #expect(try SSHPublicKey(openSSHLine: line) == key)
    }

    @Test func rsaBlobLayout() throws {
        let privateKey = try TestKeys.rsa2048()
        let key = privateKey.publicKey
        #expect(key.type == .rsa)
        #expect(key.bits == 2048)
        #expect(key.signatureAlgorithms == ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])
        var reader = key.wireBlob
        #expect(reader.readSSHText() == "ssh-rsa")
        #expect(reader.readSSHStringBytes() == [0x01, 0x00, 0x01])  // e = 65537
        let modulusRead = reader.readSSHStringBytes()
        let modulus = try #require(modulusRead)
        #expect(modulus.count == 257 && modulus[0] == 0 && modulus[1] & 0x80 != 0)  // sign byte, then 2048 bits
        #expect(reader.readableBytes == 0)
    }

    @Test(arguments: SSHKeyType.allCases)
    func roundTripsThroughEveryFormat(_ type: SSHKeyType) throws {
        let key = try TestKeys.key(type).publicKey
        #expect(try SSHPublicKey(wireBlob: key.wireBlob) == key)
        #expect(try SSHPublicKey(openSSHLine: key.openSSHLine(comment: "a b  c")) == key)
        #expect(try SSHPublicKey.parseOpenSSHLine(key.openSSHLine(comment: "a b  c")[...]).comment == "a b  c")
        #expect(try SSHPublicKey(openSSHLine: "  " + key.openSSHLine(comment: nil) + " \n") == key)
        #expect(try SSHPublicKey(fileContents: "# mine\n\n" + key.openSSHLine(comment: "x") + "\n") == key)
        let rfc4716 = key.rfc4716Text(comment: "a \"quoted\" comment that is long enough to need a continuation line")
        #expect(try SSHPublicKey(fileContents: rfc4716) == key)
        #expect(
            try SSHPublicKey.parseRFC4716(rfc4716).comment
                == "a \"quoted\" comment that is long enough to need a continuation line"
        )
        for line in rfc4716.split(separator: "\n") {
            #expect(line.utf8.count <= 72)
        }
    }

    @Test(arguments: SSHKeyType.allCases)
    func everyTruncationIsRejected(_ type: SSHKeyType) throws {
        let full = Array(try TestKeys.key(type).publicKey.wireBlob.readableBytesView)
        for length in 0..<full.count {
            #expect(throws: SSHError.self) { try SSHPublicKey(wireBlob: buffer(full[0..<length])) }
        }
        #expect(throws: SSHError(.invalidKey, "trailing bytes after the \(type.rawValue) public key")) {
            try SSHPublicKey(wireBlob: buffer(full + [0]))
        }
    }

    @Test func rejectsMalformedBlobs() throws {
        func code(_ encoded: ByteBuffer) -> SSHError.Code? {
            do {
                _ = try SSHPublicKey(wireBlob: encoded)
                return nil
            } catch let error as SSHError {
                return error.code
            } catch {
                return nil
            }
        }
        #expect(code(ByteBuffer()) == .invalidKey)
        #expect(code(buffer([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])) == .invalidKey)
        #expect(code(blob { $0.writeSSHString("ssh-dss") }) == .unsupportedAlgorithm)
        #expect(code(blob { $0.writeSSHString("ssh-ed25519-cert-v01@openssh.com") }) == .unsupportedAlgorithm)
        // Ed25519 key of the wrong length.
        #expect(
            code(
                blob {
                    $0.writeSSHString("ssh-ed25519")
                    $0.writeSSHString(rfc8032PublicKey.dropLast())
                }
            ) == .invalidKey
        )
        // ECDSA with the wrong curve name, a point off the curve, and a compressed point.
        #expect(
            code(
                blob {
                    $0.writeSSHString("ecdsa-sha2-nistp256")
                    $0.writeSSHString("nistp384")
                    $0.writeSSHString(p256Generator)
                }
            ) == .invalidKey
        )
        var offCurve = p256Generator
        offCurve[64] ^= 1
        #expect(
            code(
                blob {
                    $0.writeSSHString("ecdsa-sha2-nistp256")
                    $0.writeSSHString("nistp256")
                    $0.writeSSHString(offCurve)
                }
            ) == .invalidKey
        )
        #expect(
            code(
                blob {
                    $0.writeSSHString("ecdsa-sha2-nistp256")
                    $0.writeSSHString("nistp256")
                    $0.writeSSHString([0x03] + p256Generator[1...32])
                }
            ) == .invalidKey
        )
    }

    @Test func rejectsBadRSAKeys() throws {
        let modulus = try #require(TestKeys.rsaModulus(try TestKeys.rsa2048().publicKey))
        func rsaBlob(exponent: [UInt8], modulus: [UInt8], rawModulus: Bool = false) -> ByteBuffer {
            blob {
                $0.writeSSHString("ssh-rsa")
                $0.writeSSHUnsignedMPInt(exponent)
                if rawModulus { $0.writeSSHString(modulus) } else { $0.writeSSHUnsignedMPInt(modulus) }
            }
        }
        #expect(try SSHPublicKey(wireBlob: rsaBlob(exponent: [1, 0, 1], modulus: modulus)).bits == 2048)
        // A 512-bit modulus is too small.
        #expect(throws: SSHError.self) {
            try SSHPublicKey(wireBlob: rsaBlob(exponent: [1, 0, 1], modulus: Array(modulus[0..<64])))
        }
        // Even exponent, exponent 1, even modulus.
        #expect(throws: SSHError.self) { try SSHPublicKey(wireBlob: rsaBlob(exponent: [1, 0, 0], modulus: modulus)) }
        #expect(throws: SSHError.self) { try SSHPublicKey(wireBlob: rsaBlob(exponent: [1], modulus: modulus)) }
        #expect(throws: SSHError.self) {
            try SSHPublicKey(
                wireBlob: rsaBlob(exponent: [1, 0, 1], modulus: modulus.dropLast() + [modulus.last! & 0xFE])
            )
        }
        // A modulus mpint that is negative (no sign byte) or not minimal (extra zero byte).
        #expect(throws: SSHError.self) {
            try SSHPublicKey(wireBlob: rsaBlob(exponent: [1, 0, 1], modulus: modulus, rawModulus: true))
        }
        #expect(throws: SSHError.self) {
            try SSHPublicKey(wireBlob: rsaBlob(exponent: [1, 0, 1], modulus: [0, 0] + modulus, rawModulus: true))
        }
    }

    @Test func acceptsA1024BitRSAKey() throws {
        // OpenSSH still accepts 1024-bit RSA keys; ssh-keygen can make one.
        let directory = try TemporaryDirectory()
        let result = try Tool.sshKeygen(["-q", "-t", "rsa", "-b", "1024", "-N", "", "-f", directory.file("rsa1024")])
        #expect(result.status == 0, "\(result.errorOutput)")
        let key = try SSHPublicKey(fileContents: try directory.read("rsa1024.pub"))
        #expect(key.bits == 1024)
        let privateKey = try SSHPrivateKey(fileContents: try directory.read("rsa1024"), passphrase: nil)
        #expect(privateKey.publicKey == key)
        let data = buffer(Array("1024".utf8))
        #expect(key.isValidSignature(try privateKey.signature(for: data, algorithm: "rsa-sha2-256"), for: data))
    }

    @Test func rejectsBadLines() throws {
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"
        #expect(throws: SSHError.self) { try SSHPublicKey(openSSHLine: "") }
        #expect(throws: SSHError.self) { try SSHPublicKey(openSSHLine: "ssh-ed25519") }
        #expect(throws: SSHError.self) { try SSHPublicKey(openSSHLine: "ssh-ed25519 !!!notbase64") }
        #expect(throws: SSHError.self) {
            try SSHPublicKey(openSSHLine: line.replacingOccurrences(of: "ssh-ed25519 ", with: "ssh-rsa "))
        }
        #expect(throws: SSHError.self) { try SSHPublicKey(openSSHLine: String(line.dropLast(4))) }
        #expect(try SSHPublicKey(openSSHLine: line.replacingOccurrences(of: " ", with: "\t")).type == .ed25519)
    }

    @Test(arguments: [("ed25519", ""), ("ecdsa", "256"), ("ecdsa", "384"), ("ecdsa", "521"), ("rsa", "2048")])
    func fingerprintsMatchSSHKeygen(_ type: String, _ bits: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("key")
        let size = bits.isEmpty ? [] : ["-b", bits]
        let made = try Tool.sshKeygen(["-q", "-t", type] + size + ["-N", "", "-C", "fp test", "-f", path])
        #expect(made.status == 0, "\(made.errorOutput)")
        let key = try SSHPublicKey(fileContents: try directory.read("key.pub"))
        let sha256 = try Tool.sshKeygen(["-l", "-f", path + ".pub"])
        let md5 = try Tool.sshKeygen(["-l", "-E", "md5", "-f", path + ".pub"])
        let sha256Fields = sha256.output.split(separator: " ")
        #expect(sha256Fields.count >= 2)
        #expect(sha256Fields.first.map(String.init) == String(key.bits))
        #expect(sha256Fields.dropFirst().first.map(String.init) == key.fingerprint)
        #expect(md5.output.split(separator: " ").dropFirst().first.map(String.init) == key.md5Fingerprint)
        #expect(key.description == "\(key.type.rawValue) \(key.bits) \(key.fingerprint)")
    }

    @Test func rfc4716MatchesSSHKeygenExport() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("key")
        #expect(try Tool.sshKeygen(["-q", "-t", "ecdsa", "-N", "", "-f", path]).status == 0)
        let key = try SSHPublicKey(fileContents: try directory.read("key.pub"))
        // ssh-keygen -e exports RFC 4716; -i imports it back to an OpenSSH line.
        let exported = try Tool.sshKeygen(["-e", "-f", path + ".pub"])
        #expect(exported.status == 0)
        #expect(try SSHPublicKey(fileContents: exported.output) == key)
        try directory.write("ours.rfc4716", key.rfc4716Text(comment: "made by Ferry"))
        let imported = try Tool.sshKeygen(["-i", "-f", directory.file("ours.rfc4716")])
        #expect(imported.status == 0, "\(imported.errorOutput)")
        #expect(imported.keyFields == key.openSSHLine(comment: nil))
    }
}

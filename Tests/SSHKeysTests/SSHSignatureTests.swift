import Crypto
import Foundation
import NIOCore
import SSHProtocol
import Testing

@testable import SSHKeys

/// Every key type with every signature algorithm it supports.
let allSignatureCases: [(SSHKeyType, String)] = [
    (.ed25519, "ssh-ed25519"),
    (.ecdsaP256, "ecdsa-sha2-nistp256"),
    (.ecdsaP384, "ecdsa-sha2-nistp384"),
    (.ecdsaP521, "ecdsa-sha2-nistp521"),
    (.rsa, "rsa-sha2-512"),
    (.rsa, "rsa-sha2-256"),
    (.rsa, "ssh-rsa"),
]

@Suite struct SSHSignatureTests {
    /// RFC 8032 §7.1 tests 1 and 2: (secret seed, message, signature).
    static let rfc8032: [(seed: String, message: [UInt8], signature: String)] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", [],
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", [0x72],
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ]

    @Test(arguments: 0..<2)
    func ed25519GoldenSignature(_ index: Int) throws {
        let vector = Self.rfc8032[index]
        let key = SSHPrivateKey(try Curve25519.Signing.PrivateKey(rawRepresentation: hex(vector.seed)))
        let golden = SSHSignature(algorithm: "ssh-ed25519", blob: hex(vector.signature))
        #expect(key.publicKey.isValidSignature(golden, for: buffer(vector.message)))
        // RFC 8709 §6: string "ssh-ed25519", string signature.
        #expect(
            Array(golden.wireBlob.readableBytesView)
                == hex("0000000b7373682d65643235353139 00000040") + hex(vector.signature)
        )
        // Ed25519 is deterministic (BoringSSL signs per RFC 8032), so our signature is the RFC's.
        #if os(Linux)
        #expect(try key.signature(for: buffer(vector.message), algorithm: "ssh-ed25519") == golden)
        #endif
        if index == 0 {
            #expect(Array(key.publicKey.wireBlob.readableBytesView) == rfc8032Blob)
        }
    }

    @Test(arguments: allSignatureCases)
    func signsAndVerifies(_ type: SSHKeyType, _ algorithm: String) throws {
        let key = try TestKeys.key(type)
        let data = buffer(Array("exchange hash or userauth request".utf8))
        let signature = try key.signature(for: data, algorithm: algorithm)
        #expect(signature.algorithm == algorithm)
        #expect(key.publicKey.isValidSignature(signature, for: data))
        // The wire form round-trips.
        #expect(try SSHSignature(wireBlob: signature.wireBlob) == signature)
        // Other data, a flipped bit and another algorithm name all fail.
        #expect(!key.publicKey.isValidSignature(signature, for: buffer(Array("other".utf8))))
        var tampered = signature
        tampered.blob[tampered.blob.count / 2] ^= 0x10
        #expect(!key.publicKey.isValidSignature(tampered, for: data))
        for other in ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "x"]
        where other != algorithm {
            var relabelled = signature
            relabelled.algorithm = other
            #expect(!key.publicKey.isValidSignature(relabelled, for: data))
        }
        // Another key of the same type does not verify it.
        let stranger = try SSHPrivateKey.generate(type == .rsa ? .ed25519 : type)
        #expect(!stranger.publicKey.isValidSignature(signature, for: data))
        // The signed bytes are the buffer's readable bytes, wherever its reader index is.
        var shifted = ByteBuffer(bytes: [1, 2, 3])
        shifted.writeImmutableBuffer(data)
        shifted.moveReaderIndex(forwardBy: 3)
        #expect(key.publicKey.isValidSignature(signature, for: shifted))
    }

    @Test func refusesAlgorithmsThatDoNotFitTheKey() throws {
        let data = buffer([1, 2, 3])
        #expect(throws: SSHError.self) { try TestKeys.key(.ed25519).signature(for: data, algorithm: "ssh-rsa") }
        #expect(throws: SSHError.self) {
            try TestKeys.key(.ecdsaP256).signature(for: data, algorithm: "ecdsa-sha2-nistp384")
        }
        #expect(throws: SSHError.self) { try TestKeys.key(.rsa).signature(for: data, algorithm: "rsa-sha2-384") }
    }

    @Test func ecdsaSignatureBlobIsTwoMPInts() throws {
        let key = try TestKeys.key(.ecdsaP384)
        let signature = try key.signature(for: buffer([9]), algorithm: "ecdsa-sha2-nistp384")
        var reader = ByteBuffer(bytes: signature.blob)
        let rRead = reader.readSSHUnsignedMPInt()
        let r = try #require(rRead)
        let sRead = reader.readSSHUnsignedMPInt()
        let s = try #require(sRead)
        #expect(reader.readableBytes == 0)
        #expect(r.count <= 48 && s.count <= 48)
        // Trailing bytes, a zero r and an oversized r are all rejected.
        var extended = signature
        extended.blob += [0]
        #expect(!key.publicKey.isValidSignature(extended, for: buffer([9])))
        var zero = ByteBuffer()
        zero.writeSSHUnsignedMPInt([UInt8]())
        zero.writeSSHUnsignedMPInt(s)
        #expect(
            !key.publicKey.isValidSignature(
                SSHSignature(algorithm: signature.algorithm, blob: Array(zero.readableBytesView)),
                for: buffer([9])
            )
        )
        var oversized = ByteBuffer()
        oversized.writeSSHUnsignedMPInt([1] + [UInt8](repeating: 0, count: 48))
        oversized.writeSSHUnsignedMPInt(s)
        #expect(
            !key.publicKey.isValidSignature(
                SSHSignature(algorithm: signature.algorithm, blob: Array(oversized.readableBytesView)),
                for: buffer([9])
            )
        )
    }

    @Test func rsaSignatureLength() throws {
        let key = try TestKeys.key(.rsa)
        let data = buffer([7, 7, 7])
        let signature = try key.signature(for: data, algorithm: "rsa-sha2-256")
        #expect(signature.blob.count == 256)
        // Longer than the modulus: rejected even though the value is the same.
        #expect(
            !key.publicKey.isValidSignature(
                SSHSignature(algorithm: "rsa-sha2-256", blob: [0] + signature.blob),
                for: data
            )
        )
        // A signature whose leading zero bytes were stripped is accepted, as OpenSSH does.
        if signature.blob[0] == 0 {
            let stripped = Array(signature.blob.drop(while: { $0 == 0 }))
            #expect(key.publicKey.isValidSignature(SSHSignature(algorithm: "rsa-sha2-256", blob: stripped), for: data))
        }
        #expect(!key.publicKey.isValidSignature(SSHSignature(algorithm: "rsa-sha2-256", blob: []), for: data))
    }

    @Test func signatureWireFormat() throws {
        let signature = SSHSignature(algorithm: "ssh-ed25519", blob: [1, 2, 3])
        #expect(Array(signature.wireBlob.readableBytesView) == hex("0000000b7373682d65643235353139 00000003 010203"))
        var out = ByteBuffer(bytes: [0xFF])
        signature.write(to: &out)
        #expect(out.readableBytes == 1 + 15 + 7)
        #expect(throws: SSHError.self) { try SSHSignature(wireBlob: buffer(hex("0000000b7373682d65643235353139"))) }
        #expect(throws: SSHError.self) {
            try SSHSignature(wireBlob: buffer(hex("0000000b7373682d65643235353139 00000003 010203 00")))
        }
        #expect(throws: SSHError.self) { try SSHSignature(wireBlob: buffer(hex("00000000 00000000"))) }
    }
}

/// Interoperability with OpenSSH's own signer and verifier through `ssh-keygen -Y` (PROTOCOL.sshsig),
/// whose signatures are ordinary SSH signatures over a small structure.
@Suite struct SSHSigInteroperabilityTests {
    static let namespace = "file@ferry.test"

    /// The bytes an SSHSIG signature covers.
    static func signedData(message: [UInt8]) -> ByteBuffer {
        var data = ByteBuffer()
        data.writeBytes(Array("SSHSIG".utf8))
        data.writeSSHString(Self.namespace)
        data.writeSSHString("")
        data.writeSSHString("sha512")
        data.writeSSHString(Array(SHA512.hash(data: message)))
        return data
    }

    @Test(arguments: [("ed25519", ""), ("ecdsa", "256"), ("ecdsa", "384"), ("ecdsa", "521"), ("rsa", "2048")])
    func verifiesSSHKeygenSignatures(_ type: String, _ bits: String) throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.file("key")
        let size = bits.isEmpty ? [] : ["-b", bits]
        #expect(try Tool.sshKeygen(["-q", "-t", type] + size + ["-N", "", "-f", keyPath]).status == 0)
        let message = Array("a file to sign\n".utf8)
        let messagePath = try directory.write("message", String(decoding: message, as: UTF8.self))
        let signed = try Tool.sshKeygen(["-Y", "sign", "-f", keyPath, "-n", Self.namespace, messagePath])
        #expect(signed.status == 0, "\(signed.errorOutput)")

        let armored = try PEMBlock(parsing: try directory.read("message.sig"))
        #expect(armored.label == "SSH SIGNATURE")
        var sig = ByteBuffer(bytes: armored.body)
        #expect(sig.readBytes(length: 6) == Array("SSHSIG".utf8))
        #expect(sig.readInteger(as: UInt32.self) == 1)
        let publicBlob = sig.readSSHString()
        let publicKey = try SSHPublicKey(wireBlob: try #require(publicBlob))
        #expect(sig.readSSHText() == Self.namespace)
        #expect(sig.readSSHString() != nil)
        #expect(sig.readSSHText() == "sha512")
        let signatureBlob = sig.readSSHString()
        let signature = try SSHSignature(wireBlob: try #require(signatureBlob))
        #expect(publicKey == (try SSHPublicKey(fileContents: try directory.read("key.pub"))))
        #expect(publicKey.isValidSignature(signature, for: Self.signedData(message: message)))
        #expect(!publicKey.isValidSignature(signature, for: Self.signedData(message: message + [0])))
    }

    @Test(arguments: allSignatureCases.filter { $0.1 != "ssh-rsa" })
    func sshKeygenVerifiesOurSignatures(_ type: SSHKeyType, _ algorithm: String) throws {
        let directory = try TemporaryDirectory()
        let key = try TestKeys.key(type)
        let message = Array("signed by Ferry\n".utf8)
        let signature = try key.signature(for: Self.signedData(message: message), algorithm: algorithm)

        var body = ByteBuffer()
        body.writeBytes(Array("SSHSIG".utf8))
        body.writeInteger(UInt32(1))
        body.writeSSHString(key.publicKey.wireBlob)
        body.writeSSHString(Self.namespace)
        body.writeSSHString("")
        body.writeSSHString("sha512")
        body.writeSSHString(signature.wireBlob)
        try directory.write(
            "message.sig",
            PEMBlock(label: "SSH SIGNATURE", body: Array(body.readableBytesView)).armored(lineLength: 70)
        )
        try directory.write("allowed", "ferry@test " + key.publicKey.openSSHLine(comment: nil) + "\n")
        let verified = try Tool.sshKeygen(
            [
                "-Y", "verify", "-f", directory.file("allowed"), "-I", "ferry@test", "-n", Self.namespace, "-s",
                directory.file("message.sig"),
            ],
            input: String(decoding: message, as: UTF8.self)
        )
        #expect(verified.status == 0, "ssh-keygen -Y verify: \(verified.output) \(verified.errorOutput)")
    }
}

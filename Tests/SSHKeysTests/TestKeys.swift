import NIOCore
import SSHProtocol

@testable import SSHKeys

/// Keys generated once per test run (RSA generation is slow).
enum TestKeys {
    private static let cache: [SSHKeyType: SSHPrivateKey] = {
        var keys: [SSHKeyType: SSHPrivateKey] = [:]
        for type in SSHKeyType.allCases {
            keys[type] = try! SSHPrivateKey.generate(type, rsaBits: 2048)
        }
        return keys
    }()

    /// A private key of `type` (RSA keys are 2048 bits).
    static func key(_ type: SSHKeyType) throws -> SSHPrivateKey {
        self.cache[type]!
    }

    /// A 2048-bit RSA key.
    static func rsa2048() throws -> SSHPrivateKey {
        try self.key(.rsa)
    }

    /// The modulus magnitude of an RSA public key.
    static func rsaModulus(_ key: SSHPublicKey) -> [UInt8]? {
        var reader = key.wireBlob
        guard reader.readSSHText() == "ssh-rsa", reader.readSSHUnsignedMPInt() != nil else { return nil }
        return reader.readSSHUnsignedMPInt()
    }
}

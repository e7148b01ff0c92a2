import SSHProtocol

extension SSHPrivateKey {
    /// Loads a private key file, detecting its format from the PEM label:
    ///
    /// - "OPENSSH PRIVATE KEY" (`openssh-key-v1`, ssh-keygen's default): unencrypted, or encrypted with
    ///   bcrypt_pbkdf and aes128/192/256-ctr, aes128/192/256-cbc or aes128/256-gcm@openssh.com;
    /// - "RSA PRIVATE KEY" (PKCS#1) and "EC PRIVATE KEY" (SEC1), optionally with OpenSSL's legacy AES-CBC
    ///   encryption;
    /// - "PRIVATE KEY" (PKCS#8: RSA, ECDSA or Ed25519) and "ENCRYPTED PRIVATE KEY" (PKCS#8 with PBES2).
    ///
    /// - Parameter passphrase: needed only for encrypted files; ignored otherwise.
    /// - Throws: `SSHError(.wrongPassphrase)` when the file is encrypted and the passphrase is missing or
    ///   wrong; `SSHError(.invalidKeyFile)` for malformed files; `SSHError(.unsupportedAlgorithm)` for key
    ///   types, ciphers or formats Ferry does not support.
    public init(fileContents: String, passphrase: [UInt8]?) throws {
        let block = try PEMBlock(parsing: fileContents)
        if block.label == Self.openSSHLabel {
            self = try Self.parseOpenSSH(block.body, passphrase: passphrase)
        } else {
            self = try Self.parsePEM(block, passphrase: passphrase)
        }
    }

    /// Whether a private key file is passphrase-protected (`false` when it cannot be parsed at all).
    public static func isEncrypted(fileContents: String) -> Bool {
        guard let block = try? PEMBlock(parsing: fileContents) else { return false }
        if block.label == Self.openSSHLabel {
            return Self.isEncryptedOpenSSH(block.body)
        }
        return Self.isEncryptedPEM(block)
    }
}

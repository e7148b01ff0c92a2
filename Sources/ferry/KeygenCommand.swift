import ArgumentParser
import SSHKeys

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate an SSH key pair in OpenSSH's formats.",
        discussion: """
            Writes the private key to FILE (mode 0600) and the public key to FILE.pub. A passphrase, if any, is \
            read from standard input (--passphrase-stdin) or the FERRY_KEY_PASSPHRASE variable, never from \
            the command line.
            """
    )

    @Option(name: .shortAndLong, help: "Key type: ed25519, ecdsa or rsa.")
    var type: String = "ed25519"

    @Option(name: .shortAndLong, help: "Bits: 256, 384 or 521 for ecdsa; 2048 to 8192 for rsa.")
    var bits: Int?

    @Option(name: [.customShort("f"), .long], help: "Where to write the private key.")
    var file: String

    @Option(name: [.customShort("C"), .long], help: "Comment stored with the key.")
    var comment: String = "ferry"

    @Flag(help: "Read a passphrase from the first line of standard input.")
    var passphraseStdin = false

    @Flag(help: "Replace existing files.")
    var force = false

    func run() throws {
        let keyType: SSHKeyType
        switch (self.type.lowercased(), self.bits) {
        case ("ed25519", nil), ("ed25519", 256): keyType = .ed25519
        case ("ecdsa", nil), ("ecdsa", 256): keyType = .ecdsaP256
        case ("ecdsa", 384): keyType = .ecdsaP384
        case ("ecdsa", 521): keyType = .ecdsaP521
        case ("rsa", _): keyType = .rsa
        default:
            throw ValidationError(
                "unsupported key type \(self.type) with \(self.bits.map(String.init) ?? "default") bits"
            )
        }
        let rsaBits = self.bits ?? 3072
        if keyType == .rsa && !(2048...8192).contains(rsaBits) {
            throw ValidationError("RSA keys must have 2048 to 8192 bits")
        }
        if !self.force && (Files.exists(self.file) || Files.exists(self.file + ".pub")) {
            throw ValidationError("\(self.file) already exists (use --force to replace it)")
        }
        var passphrase: String?
        if self.passphraseStdin {
            passphrase = Secrets.readLineFromStandardInput()
        } else {
            passphrase = Secrets.fromEnvironment("FERRY_KEY_PASSPHRASE")
        }
        let key = try SSHPrivateKey.generate(keyType, rsaBits: rsaBits)
        let privateText = try key.openSSHFileContents(
            comment: self.comment,
            passphrase: passphrase.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        )
        try Files.write(privateText, to: self.file, mode: 0o600)
        try Files.write(key.publicKey.openSSHLine(comment: self.comment) + "\n", to: self.file + ".pub", mode: 0o644)
        print("Wrote \(self.file) and \(self.file).pub")
        print("\(key.publicKey.bits) \(key.publicKey.fingerprint) \(self.comment) (\(keyType.rawValue))")
    }
}

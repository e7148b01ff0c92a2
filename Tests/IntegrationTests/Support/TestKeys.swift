// SSH key pairs for tests, made with `ssh-keygen` (no passphrase) in a test's temporary directory.
//
//     let key = try await TestKeyPair.generate(.ed25519, in: dir)
//     key.privateKeyPath        // for ssh -i, the Python peers' --key, Ferry's key loaders
//     key.authorizedKeysLine    // "ssh-ed25519 AAAA..." for authorized_keys / PrivateSSHD
//
// `.rsa(bits:)` and `.ecdsa(bits:)` take ssh-keygen's -b; `format: .pem` writes the private key in
// PEM (PKCS#1 / SEC1) form instead of OpenSSH's own format.

import Foundation

enum TestKeyType: Sendable, Hashable, CustomStringConvertible {
    case ed25519
    case ecdsa(bits: Int = 256)
    case rsa(bits: Int = 3072)

    /// ssh-keygen's -t and -b arguments.
    var keygenArguments: [String] {
        switch self {
        case .ed25519: ["-t", "ed25519"]
        case .ecdsa(let bits): ["-t", "ecdsa", "-b", String(bits)]
        case .rsa(let bits): ["-t", "rsa", "-b", String(bits)]
        }
    }

    /// The public key algorithm name, e.g. "ecdsa-sha2-nistp256" ("ssh-rsa" for RSA keys).
    var publicKeyAlgorithm: String {
        switch self {
        case .ed25519: "ssh-ed25519"
        case .ecdsa(let bits): "ecdsa-sha2-nistp\(bits)"
        case .rsa: "ssh-rsa"
        }
    }

    var description: String {
        switch self {
        case .ed25519: "ed25519"
        case .ecdsa(let bits): "ecdsa\(bits)"
        case .rsa(let bits): "rsa\(bits)"
        }
    }
}

enum TestKeyFormat: Sendable {
    /// OpenSSH's "-----BEGIN OPENSSH PRIVATE KEY-----" format (ssh-keygen's default).
    case openSSH
    /// PEM: PKCS#1 for RSA, SEC1 for ECDSA (ssh-keygen -m PEM; not available for Ed25519).
    case pem
}

struct TestKeyPair: Sendable {
    var type: TestKeyType
    var privateKeyPath: String
    var publicKeyPath: String
    /// The .pub file's line: "<algorithm> <base64> <comment>".
    var publicKeyLine: String

    /// "<algorithm> <base64>", as authorized_keys and known_hosts want it.
    var authorizedKeysLine: String {
        publicKeyLine.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// The key's algorithm name as written in the .pub file, e.g. "ssh-ed25519".
    var algorithm: String { String(publicKeyLine.split(separator: " ").first ?? "") }

    /// The base64 public key blob.
    var base64: String {
        let fields = publicKeyLine.split(separator: " ")
        return fields.count > 1 ? String(fields[1]) : ""
    }

    /// Generates a key pair at `directory/<name>` (default name: "id_<type>"), with `<name>.pub` beside it.
    static func generate(
        _ type: TestKeyType,
        in directory: TemporaryDirectory,
        name: String? = nil,
        format: TestKeyFormat = .openSSH,
        comment: String = "ferry-test"
    ) async throws -> TestKeyPair {
        try await generate(type, at: directory.path(name ?? "id_\(type)"), format: format, comment: comment)
    }

    /// Generates a key pair at `path`, with `path.pub` beside it. An existing key there is replaced.
    static func generate(
        _ type: TestKeyType,
        at path: String,
        format: TestKeyFormat = .openSSH,
        comment: String = "ferry-test"
    ) async throws -> TestKeyPair {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + ".pub")
        var arguments = ["-q"] + type.keygenArguments + ["-N", "", "-C", comment, "-f", path]
        if case .pem = format {
            arguments += ["-m", "PEM"]
        }
        try await TestProcess.run("ssh-keygen", arguments, timeout: .seconds(60)).requireSuccess()
        let line = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return TestKeyPair(type: type, privateKeyPath: path, publicKeyPath: path + ".pub", publicKeyLine: line)
    }

    /// "SHA256:..." fingerprint of the public key, from `ssh-keygen -l`.
    func fingerprint() async throws -> String {
        let result = try await TestProcess.run("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyPath])
            .requireSuccess()
        let fields = result.stdoutText.split(separator: " ")
        return fields.count > 1 ? String(fields[1]) : result.stdoutText
    }
}

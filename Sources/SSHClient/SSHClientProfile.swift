import Foundation
import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything needed to connect to one host, resolved the way `ssh` and `sftp` do: explicit arguments
/// first, then `~/.ssh/config`, then OpenSSH's defaults.
public struct SSHClientProfile: Sendable {
    /// What the user typed.
    public var alias: String
    /// The host to connect to: `HostName`, or the alias.
    public var host: String
    /// The port (22 by default).
    public var port: Int
    /// The user to log in as (the local user by default).
    public var username: String
    /// Private key files to try: explicit ones first, then the configuration's; OpenSSH's defaults
    /// (`~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`) when none were given at all.
    public var identityFiles: [String]
    /// Whether only agent keys matching ``identityFiles`` may be offered.
    public var identitiesOnly: Bool
    /// known_hosts files to check; new entries go to the first (`~/.ssh/known_hosts` by default).
    public var knownHostsFiles: [String]
    /// What to do about unknown hosts (`.strict` by default).
    public var strictHostKeyChecking: SSHKnownHostsValidator.Policy
    /// How long connecting may take, if the configuration says.
    public var connectTimeout: TimeAmount?

    /// Creates a profile from resolved values.
    public init(
        alias: String,
        host: String,
        port: Int = 22,
        username: String,
        identityFiles: [String] = [],
        identitiesOnly: Bool = false,
        knownHostsFiles: [String],
        strictHostKeyChecking: SSHKnownHostsValidator.Policy = .strict,
        connectTimeout: TimeAmount? = nil
    ) {
        self.alias = alias
        self.host = host
        self.port = port
        self.username = username
        self.identityFiles = identityFiles
        self.identitiesOnly = identitiesOnly
        self.knownHostsFiles = knownHostsFiles
        self.strictHostKeyChecking = strictHostKeyChecking
        self.connectTimeout = connectTimeout
    }

    /// The variables profile resolution reads (HOME, USER, LOGNAME, SSH_AUTH_SOCK) from this process's
    /// environment.
    public static var currentEnvironment: [String: String] {
        SSHClientFiles.environment(["HOME", "USER", "LOGNAME", "SSH_AUTH_SOCK"])
    }

    /// The home directory: `HOME`, else the password database's.
    static func homeDirectory(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    /// The local user: `USER`, `LOGNAME`, else the password database's name for this process.
    static func localUser(_ environment: [String: String]) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let user = environment["LOGNAME"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "root"
    }

    /// Resolves a profile as ssh does: explicit arguments beat the configuration file, which beats the defaults.
    ///
    /// - Parameters:
    ///   - alias: the host as typed; matched against `Host` patterns.
    ///   - user, port: given explicitly (`-l`, `-p`, `user@`), or nil.
    ///   - identityFiles: given explicitly (`-i`), tried before the configuration's; `~` is expanded.
    ///   - knownHostsFile: given explicitly; replaces the configuration's and the default.
    ///   - strictHostKeyChecking: given explicitly, or nil.
    ///   - configFile: the parsed `~/.ssh/config`, if there is one.
    ///   - environment: gives HOME and USER (or LOGNAME); see ``currentEnvironment``.
    public static func resolve(
        alias: String,
        user: String? = nil,
        port: Int? = nil,
        identityFiles: [String] = [],
        knownHostsFile: String? = nil,
        strictHostKeyChecking: SSHKnownHostsValidator.Policy? = nil,
        configFile: SSHConfigFile?,
        environment: [String: String]
    ) -> SSHClientProfile {
        let home = self.homeDirectory(environment)
        let localUser = self.localUser(environment)
        let settings =
            configFile?.settings(
                for: alias,
                localUser: localUser,
                homeDirectory: home,
                remoteUser: user,
                port: port
            ) ?? SSHHostSettings()
        let sshDirectory = home + "/.ssh"
        var files: [String] = []
        for file in identityFiles.map({ SSHConfigFile.expandTilde($0, home: home) }) + settings.identityFiles
        where !files.contains(file) {
            files.append(file)
        }
        if files.isEmpty {
            files = ["id_ed25519", "id_ecdsa", "id_rsa"].map { sshDirectory + "/" + $0 }
        }
        let knownHosts =
            knownHostsFile.map { [SSHConfigFile.expandTilde($0, home: home)] }
            ?? settings.userKnownHostsFiles ?? [sshDirectory + "/known_hosts"]
        return SSHClientProfile(
            alias: alias,
            host: settings.hostName ?? alias,
            port: port ?? settings.port ?? 22,
            username: user ?? settings.user ?? localUser,
            identityFiles: files,
            identitiesOnly: settings.identitiesOnly ?? false,
            knownHostsFiles: knownHosts.isEmpty ? [sshDirectory + "/known_hosts"] : knownHosts,
            strictHostKeyChecking: strictHostKeyChecking ?? settings.strictHostKeyChecking ?? .strict,
            connectTimeout: settings.connectTimeout
        )
    }

    /// The methods to try, in OpenSSH's order: the agent's keys (when `SSH_AUTH_SOCK` is set; with
    /// ``identitiesOnly`` only those matching an identity file's public key, read from NAME.pub or from
    /// the private key file, whose OpenSSH format keeps it in clear even when encrypted), then each identity file that exists and whose key the agent does not already
    /// offer, then the password, if one is given.
    ///
    /// An unreachable agent and unreadable or malformed key files are skipped, as ssh does. Encrypted key
    /// files ask `passphrase(path)` (up to three times while the passphrase is wrong); nil skips the key.
    ///
    /// - Throws: only what `passphrase` throws.
    public func authenticationMethods(
        password: String?,
        environment: [String: String],
        passphrase: @Sendable (String) async throws -> String?
    ) async throws -> [SSHClientAuthenticationMethod] {
        var methods: [SSHClientAuthenticationMethod] = []
        // Public keys of the identity files, where they can be had without a passphrase.
        var fileKeys: [String: SSHPublicKey] = [:]
        var loaded: [String: SSHPrivateKey] = [:]
        var texts: [String: String] = [:]
        for path in self.identityFiles {
            guard let text = try? SSHClientFiles.text(of: path) else { continue }
            texts[path] = text
            if let line = try? SSHClientFiles.text(of: path + ".pub"),
                let key = try? SSHPublicKey(openSSHLine: line.trimmingWhitespace())
            {
                fileKeys[path] = key
            } else if !SSHPrivateKey.isEncrypted(fileContents: text),
                let key = try? SSHPrivateKey(fileContents: text, passphrase: nil)
            {
                loaded[path] = key
                fileKeys[path] = key.publicKey
            } else if let key = Self.openSSHPublicKey(fileContents: text) {
                fileKeys[path] = key
            }
        }
        var agentKeys: Set<SSHPublicKey> = []
        if let agent = SSHAgentClient(environment: environment), let identities = try? await agent.identities() {
            let wanted = Set(fileKeys.values)
            for identity in identities where !self.identitiesOnly || wanted.contains(identity.publicKey) {
                guard !agentKeys.contains(identity.publicKey) else { continue }
                agentKeys.insert(identity.publicKey)
                methods.append(.signer(identity))
            }
        }
        var offered = agentKeys
        for path in self.identityFiles {
            guard let text = texts[path] else { continue }
            if let key = fileKeys[path], offered.contains(key) { continue }
            var key = loaded[path]
            if key == nil { key = try await Self.load(text, path: path, passphrase: passphrase) }
            guard let key else { continue }
            guard !offered.contains(key.publicKey) else { continue }
            offered.insert(key.publicKey)
            methods.append(.publicKey(key))
        }
        if let password { methods.append(.password(password)) }
        return methods
    }

    /// The public key an openssh-key-v1 file keeps in clear ahead of its (possibly encrypted) private part.
    static func openSSHPublicKey(fileContents text: String) -> SSHPublicKey? {
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { String($0).trimmingWhitespace() }
        guard let begin = lines.firstIndex(of: "-----BEGIN OPENSSH PRIVATE KEY-----"),
            let end = lines.firstIndex(of: "-----END OPENSSH PRIVATE KEY-----"), begin < end,
            let bytes = Data(base64Encoded: lines[(begin + 1)..<end].joined())
        else { return nil }
        var buffer = ByteBuffer(bytes: bytes)
        let magic = Array("openssh-key-v1\0".utf8)
        guard buffer.readBytes(length: magic.count) == magic,
            buffer.readSSHString() != nil,  // cipher
            buffer.readSSHString() != nil,  // KDF
            buffer.readSSHString() != nil,  // KDF options
            let count = buffer.readInteger(as: UInt32.self), count >= 1,
            let blob = buffer.readSSHString()
        else { return nil }
        return try? SSHPublicKey(wireBlob: blob)
    }

    /// Loads a private key, asking for its passphrase when it is encrypted; nil when it cannot be used.
    private static func load(
        _ text: String,
        path: String,
        passphrase: @Sendable (String) async throws -> String?
    ) async throws -> SSHPrivateKey? {
        guard SSHPrivateKey.isEncrypted(fileContents: text) else {
            return try? SSHPrivateKey(fileContents: text, passphrase: nil)
        }
        for _ in 0..<3 {
            guard let secret = try await passphrase(path) else { return nil }
            do {
                return try SSHPrivateKey(fileContents: text, passphrase: Array(secret.utf8))
            } catch let error as SSHError where error.code == .wrongPassphrase {
                continue
            } catch {
                return nil
            }
        }
        return nil
    }

    /// Checks host keys against ``knownHostsFiles`` (all of them are read; new entries go to the first)
    /// with ``strictHostKeyChecking``.
    public func hostKeyValidator() -> any SSHHostKeyValidator {
        SSHKnownHostsValidator(paths: self.knownHostsFiles, policy: self.strictHostKeyChecking)
    }

    /// A client configuration for this profile: user name, host key validation, connect timeout.
    public func clientConfiguration(
        authentication: [SSHClientAuthenticationMethod],
        connection: SSHConnectionConfiguration = SSHConnectionConfiguration(role: .client)
    ) -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration(
            username: self.username,
            authentication: authentication,
            hostKeyValidator: self.hostKeyValidator(),
            connection: connection
        )
        if let connectTimeout { configuration.connectTimeout = connectTimeout }
        return configuration
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

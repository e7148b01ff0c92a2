import SSHKeys
import SSHProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks host keys against an OpenSSH `known_hosts` file, as `StrictHostKeyChecking` does.
public struct SSHKnownHostsValidator: SSHHostKeyValidator {
    /// What to do with a host that has no entry yet.
    public enum Policy: String, Sendable, CaseIterable {
        /// Refuse unknown hosts (the safe default).
        case strict = "yes"
        /// Add unknown hosts to the file; still refuse changed keys.
        case acceptNew = "accept-new"
        /// Accept anything; only for tests on a trusted network.
        case off = "no"
    }

    /// The file checked first, and where new entries are written.
    public var path: String
    /// More files that are checked but never written (ssh's further `UserKnownHostsFile` entries).
    public var additionalPaths: [String] = []
    /// What to do with unknown hosts.
    public var policy: Policy
    /// Whether new entries are written hashed (`|1|…`).
    public var hashNewEntries: Bool

    /// Checks one file.
    public init(path: String, policy: Policy = .strict, hashNewEntries: Bool = false) {
        self.path = path
        self.policy = policy
        self.hashNewEntries = hashNewEntries
    }

    /// Checks several files, as ssh does with a `UserKnownHostsFile` list: a key found in any of them is
    /// known, a revoked or different key in any of them is refused, and new entries go to the first.
    public init(paths: [String], policy: Policy = .strict, hashNewEntries: Bool = false) {
        self.init(path: paths.first ?? "", policy: policy, hashNewEntries: hashNewEntries)
        self.additionalPaths = Array(paths.dropFirst())
    }

    public func validate(host: String, port: Int, key: SSHPublicKey) async throws {
        if self.policy == .off { return }
        var contents = ""
        for path in [self.path] + self.additionalPaths {
            guard let text = Self.read(path) else { continue }
            contents += text
            if !text.hasSuffix("\n") { contents += "\n" }
        }
        let knownHosts = KnownHosts(contents: contents)
        switch knownHosts.check(host: host, port: port, key: key) {
        case .match:
            return
        case .mismatch:
            throw SSHError(
                .hostKeyNotVerifiable,
                """
                the host key for \(Self.name(host, port)) has CHANGED (now \(key.type.rawValue) \(key.fingerprint)); \
                this could be an attack. If the change is expected, remove the old entry from \(self.fileNames)
                """
            )
        case .unknown:
            guard self.policy == .acceptNew else {
                throw SSHError(
                    .hostKeyNotVerifiable,
                    """
                    no host key is known for \(Self.name(host, port)) (\(key.type.rawValue) \(key.fingerprint)); \
                    add it to \(self.path) or allow accept-new
                    """
                )
            }
            let line = KnownHosts.entry(host: host, port: port, key: key, hashed: self.hashNewEntries)
            try Self.append(line + "\n", to: self.path)
        }
    }

    /// The files, for messages.
    private var fileNames: String {
        ([self.path] + self.additionalPaths).joined(separator: " or ")
    }

    private static func name(_ host: String, _ port: Int) -> String {
        port == 22 ? host : "[\(host)]:\(port)"
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func append(_ text: String, to path: String) throws {
        // A first connection on a fresh account has no ~/.ssh yet; ssh creates it private.
        let directory = SSHClientFiles.directory(of: path)
        if !SSHClientFiles.exists(directory) {
            do {
                try SSHClientFiles.makeDirectory(directory, mode: 0o700)
            } catch {
                throw SSHError(
                    .hostKeyNotVerifiable,
                    "cannot create \(directory) to record the host key: \(SSHClientFiles.describe(error.errno))"
                )
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SSHError(.hostKeyNotVerifiable, "cannot record the host key in \(path): errno \(errno)")
        }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw SSHError(.hostKeyNotVerifiable, "cannot record the host key in \(path): errno \(errno)")
        }
    }
}

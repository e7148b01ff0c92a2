import Foundation
import Logging
import SSHKeys

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The server's host keys on disk: read if present, generated on first start otherwise.
public enum HostKeyFiles {
    /// One host key and where it lives.
    public struct Loaded: Sendable {
        /// The key file.
        public var path: String
        /// The key.
        public var key: SSHPrivateKey
        /// Whether it was generated just now.
        public var created: Bool
    }

    /// Reads every key file, generating missing ones: the type comes from the file name (`ed25519`,
    /// `ecdsa` → P-256, `rsa` → 3072 bits), ed25519 when the name says nothing. New private keys are written
    /// with mode 0600 (and a `.pub` beside them); an existing key file readable by others is refused, as sshd
    /// refuses it.
    ///
    /// - Parameters:
    ///   - paths: The key files.
    ///   - logger: Where each key's fingerprint is reported.
    /// - Returns: The keys, in order.
    /// - Throws: ``ConfigurationError``-style failures with the path and the reason.
    public static func loadOrCreate(_ paths: [String], logger: Logger) throws -> [Loaded] {
        var loaded: [Loaded] = []
        for path in paths {
            let entry = try self.loadOrCreate(path)
            logger.notice(
                entry.created ? "host key created" : "host key",
                metadata: [
                    "path": "\(path)", "type": "\(entry.key.publicKey.type.rawValue)",
                    "fingerprint": "\(entry.key.publicKey.fingerprint)",
                ]
            )
            loaded.append(entry)
        }
        return loaded
    }

    static func loadOrCreate(_ path: String) throws -> Loaded {
        var status = stat()
        if stat(path, &status) == 0 {
            if status.st_mode & 0o077 != 0 {
                throw HostKeyError(
                    "\(path) is readable by other users (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 600 on it"
                )
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw HostKeyError("cannot read \(path): \(error.localizedDescription)")
            }
            do {
                return Loaded(path: path, key: try SSHPrivateKey(fileContents: text, passphrase: nil), created: false)
            } catch {
                throw HostKeyError("\(path) is not a usable private key: \(error)")
            }
        }
        let name = (path as NSString).lastPathComponent.lowercased()
        let type: SSHKeyType = name.contains("ecdsa") ? .ecdsaP256 : name.contains("rsa") ? .rsa : .ed25519
        let key = try SSHPrivateKey.generate(type, rsaBits: 3072)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(
                atPath: directory,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
        }
        try self.write(try key.openSSHFileContents(comment: "ferry host key", passphrase: nil), to: path, mode: 0o600)
        try self.write(key.publicKey.openSSHLine(comment: "ferry host key") + "\n", to: path + ".pub", mode: 0o644)
        return Loaded(path: path, key: key, created: true)
    }

    /// Writes a file under a temporary name with its final mode, then renames it into place.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HostKeyError("cannot create \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw HostKeyError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

/// A host key that cannot be read or written.
public struct HostKeyError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the path.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

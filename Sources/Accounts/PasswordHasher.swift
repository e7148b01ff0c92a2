import NIOPosix

/// Hashes and verifies passwords with the system's libcrypt (libxcrypt), so hashes from `/etc/shadow`,
/// `mkpasswd` or atmoz-style user lists work as they are.
///
/// New hashes are yescrypt (`$y$`) at libxcrypt's default cost. Verification accepts yescrypt, bcrypt
/// (`$2b$`, `$2a$`, `$2y$`), SHA-512-crypt (`$6$`) and SHA-256-crypt (`$5$`); it refuses — returns `false`,
/// never traps — empty, malformed and locked (`*`, `!…`) hashes and the legacy DES and MD5 (`$1$`) schemes.
///
/// Hashing takes tens of milliseconds of CPU on purpose. The static methods block the calling thread; on an
/// event loop or in a task use the instance methods, which run the work on a `NIOThreadPool`.
public struct PasswordHasher: Sendable {
    private let threadPool: NIOThreadPool

    /// Creates a hasher that runs its work on `threadPool`.
    ///
    /// - Parameter threadPool: The pool for the CPU-heavy work; NIO's shared singleton by default.
    public init(threadPool: NIOThreadPool = .singleton) {
        self.threadPool = threadPool
    }

    /// Hashes a password with a new random salt, blocking the calling thread.
    ///
    /// - Parameter password: The password; it must not contain NUL and must be at most 511 bytes of UTF-8.
    /// - Returns: A yescrypt hash, `$y$…`.
    /// - Throws: ``AccountsError/Code/hashingFailed`` when the password is unacceptable or libcrypt fails.
    public static func hash(_ password: String) throws(AccountsError) -> String {
        guard let setting = LibCrypt.generateSetting(prefix: CryptHashScheme.yescrypt.rawValue) else {
            throw AccountsError(.hashingFailed, "libcrypt could not generate a yescrypt salt")
        }
        guard let hash = LibCrypt.hash(passphrase: password, setting: setting) else {
            throw AccountsError(
                .hashingFailed,
                "the password could not be hashed (it contains NUL or is longer than "
                    + "\(LibCrypt.maximumPassphraseLength) bytes)"
            )
        }
        return hash
    }

    /// Checks a password against a stored hash, blocking the calling thread.
    ///
    /// The hash is recomputed with the stored setting and compared in constant time.
    ///
    /// - Parameters:
    ///   - password: The password offered.
    ///   - hash: The stored crypt(3) hash.
    /// - Returns: `true` only when the hash is of an accepted scheme and matches the password.
    public static func verify(_ password: String, against hash: String) -> Bool {
        guard CryptHashScheme(hash: hash) != nil,
            let computed = LibCrypt.hash(passphrase: password, setting: hash)
        else { return false }
        return ConstantTimeComparison.equals(computed.utf8, hash.utf8)
    }

    /// Spends as long as verifying a password against a yescrypt hash at the default cost, then returns `false`,
    /// blocking the calling thread.
    ///
    /// Call it when the user does not exist or has no password, so that the answer takes as long as a real check
    /// and does not tell which user names exist.
    ///
    /// - Parameter password: The password offered.
    /// - Returns: Always `false`.
    public static func verifyWithoutHash(_ password: String) -> Bool {
        _ = LibCrypt.hash(passphrase: password, setting: Self.decoyHash)
        return false
    }

    /// A yescrypt hash at libxcrypt's default cost, of a random password that was thrown away.
    private static let decoyHash = "$y$j9T$7bNtnM6K1n2bHrR2OWfPm/$aHd1g4sEiI/R6lJdrwtvYMqmw4xoGa6Ks40.QBnkB13"

    /// Whether `hash` is a stored hash this type can verify.
    ///
    /// - Parameter hash: A crypt(3) hash string.
    /// - Returns: `true` for well-formed yescrypt, bcrypt, SHA-512-crypt and SHA-256-crypt hashes.
    public static func isSupportedHash(_ hash: String) -> Bool {
        CryptHashScheme(hash: hash) != nil
    }

    /// Hashes a password with a new random salt on the thread pool.
    ///
    /// - Parameter password: The password; it must not contain NUL and must be at most 511 bytes of UTF-8.
    /// - Returns: A yescrypt hash, `$y$…`.
    /// - Throws: ``AccountsError/Code/hashingFailed``, or the pool's error when it is shut down.
    public func hash(_ password: String) async throws -> String {
        try await self.threadPool.runIfActive { try Self.hash(password) }
    }

    /// Checks a password against a stored hash on the thread pool.
    ///
    /// - Parameters:
    ///   - password: The password offered.
    ///   - hash: The stored crypt(3) hash.
    /// - Returns: `true` only when the hash is of an accepted scheme and matches the password; `false` too when
    ///   the pool is shut down.
    public func verify(_ password: String, against hash: String) async -> Bool {
        (try? await self.threadPool.runIfActive { Self.verify(password, against: hash) }) ?? false
    }

    /// Spends as long as a real check on the thread pool, then returns `false`; see ``verifyWithoutHash(_:)``.
    ///
    /// - Parameter password: The password offered.
    /// - Returns: Always `false`.
    public func verifyWithoutHash(_ password: String) async -> Bool {
        _ = try? await self.threadPool.runIfActive { Self.verifyWithoutHash(password) }
        return false
    }
}

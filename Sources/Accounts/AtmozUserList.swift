import Foundation

/// Users given in atmoz/sftp's format, as in `FERRY_USERS`, `SFTP_USERS` or a `users.conf` file.
///
/// Entries are separated by spaces or newlines; lines that are blank or start with `#` are skipped. Each entry is
/// `user:pass[:e][:uid[:gid[:dir1[,dir2]…]]]`:
/// - `pass` empty means the user logs in with public keys only;
/// - `:e` marks `pass` as already encrypted, a crypt(3) hash (of a scheme ``PasswordHasher`` accepts: MD5 and
///   DES hashes are refused);
/// - `uid` and `gid` are optional decimal ids, empty when skipped;
/// - `dirs` are comma-separated directories to create inside the user's home.
///
/// Parsing never stops at a bad entry: every good entry is returned, and every bad one yields an ``EntryError``.
/// Error messages never contain a password or a field that might be one.
public struct AtmozUserList: Sendable {
    /// The well-formed entries, in order.
    public var entries: [Entry]
    /// One error for each malformed entry, in order.
    public var errors: [EntryError]

    /// Creates a list.
    ///
    /// - Parameters:
    ///   - entries: The well-formed entries.
    ///   - errors: The errors for malformed entries.
    public init(entries: [Entry] = [], errors: [EntryError] = []) {
        self.entries = entries
        self.errors = errors
    }

    /// One well-formed entry.
    public struct Entry: Hashable, Sendable {
        /// The login name.
        public var name: UserName
        /// The password, as given.
        public var password: Password
        /// The user id, when given.
        public var uid: UInt32?
        /// The group id, when given.
        public var gid: UInt32?
        /// Directories to create inside the user's home, relative to it.
        public var directories: [String]
        /// The 1-based line the entry is on.
        public var line: Int

        /// Creates an entry.
        ///
        /// - Parameters:
        ///   - name: The login name.
        ///   - password: The password.
        ///   - uid: The user id, if any.
        ///   - gid: The group id, if any.
        ///   - directories: Directories to create in the home.
        ///   - line: The 1-based line number.
        public init(
            name: UserName,
            password: Password,
            uid: UInt32? = nil,
            gid: UInt32? = nil,
            directories: [String] = [],
            line: Int = 1
        ) {
            self.name = name
            self.password = password
            self.uid = uid
            self.gid = gid
            self.directories = directories
            self.line = line
        }

        /// Turns the entry into a ``User``, hashing a plain-text password on `hasher`'s thread pool.
        ///
        /// The home directory is `/`: as in atmoz/sftp, the user is confined to their own home.
        ///
        /// - Parameters:
        ///   - hasher: Hashes plain-text passwords.
        ///   - createdAt: The creation date to record; now by default.
        /// - Returns: The user.
        /// - Throws: ``AccountsError/Code/hashingFailed`` when a plain-text password cannot be hashed.
        public func makeUser(hasher: PasswordHasher = PasswordHasher(), createdAt: Date = Date()) async throws -> User {
            let passwordHash: String?
            switch self.password {
            case .none:
                passwordHash = nil
            case .plaintext(let password):
                passwordHash = try await hasher.hash(password)
            case .encrypted(let hash):
                passwordHash = hash
            }
            return User(
                name: self.name,
                passwordHash: passwordHash,
                uid: self.uid,
                gid: self.gid,
                createdAt: createdAt
            )
        }
    }

    /// The password of an entry.
    public enum Password: Hashable, Sendable, CustomStringConvertible {
        /// No password: public-key logins only.
        case none
        /// A plain-text password, to be hashed before it is stored.
        case plaintext(String)
        /// A crypt(3) hash given with `:e`.
        case encrypted(String)

        /// A description that never shows the password or hash.
        public var description: String {
            switch self {
            case .none: "none"
            case .plaintext: "plaintext(redacted)"
            case .encrypted: "encrypted(redacted)"
            }
        }
    }

    /// Why one entry was rejected.
    public struct EntryError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The 1-based line the entry is on.
        public var line: Int
        /// The 1-based position of the entry among all entries.
        public var entry: Int
        /// The entry's user name, when it is a valid one.
        public var userName: UserName?
        /// What is wrong; never contains a password.
        public var message: String

        /// Creates an error.
        ///
        /// - Parameters:
        ///   - line: The 1-based line number.
        ///   - entry: The 1-based entry number.
        ///   - userName: The entry's user name, if valid.
        ///   - message: What is wrong.
        public init(line: Int, entry: Int, userName: UserName?, message: String) {
            self.line = line
            self.entry = entry
            self.userName = userName
            self.message = message
        }

        /// Where the entry is, whose it is when known, and what is wrong.
        public var description: String {
            let who = self.userName.map { " (user '\($0)')" } ?? ""
            return "line \(self.line), entry \(self.entry)\(who): \(self.message)"
        }
    }
}

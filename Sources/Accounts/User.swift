import Foundation
import SSHKeys

/// One account of the gateway: who may log in, how, and where they land.
public struct User: Hashable, Sendable {
    /// The login name.
    public var name: UserName
    /// The crypt(3) hash of the password (see ``PasswordHasher``), or `nil` when the user may not log in with a
    /// password (public keys only).
    public var passwordHash: String?
    /// The public keys the user may log in with, as in an OpenSSH `authorized_keys` file.
    public var authorizedKeys: [AuthorizedKey]
    /// The directory the user starts in, as a path inside the storage they are given.
    public var homeDirectory: String
    /// The system user id files are owned by, when the storage maps ownership.
    public var uid: UInt32?
    /// The system group id files are owned by, when the storage maps ownership.
    public var gid: UInt32?
    /// Permissions granted to the user. A placeholder until the access policy is designed.
    public var permissions: [String]
    /// Whether the account is disabled: a disabled user cannot log in by any method.
    public var isDisabled: Bool
    /// When the account was created.
    public var createdAt: Date

    /// Creates a user.
    ///
    /// - Parameters:
    ///   - name: The login name.
    ///   - passwordHash: A crypt(3) hash, or `nil` for key-only accounts.
    ///   - authorizedKeys: The public keys the user may log in with.
    ///   - homeDirectory: The starting directory inside the user's storage; `/` by default.
    ///   - uid: The owning user id, if any.
    ///   - gid: The owning group id, if any.
    ///   - permissions: Granted permissions (placeholder).
    ///   - isDisabled: Whether the account is disabled.
    ///   - createdAt: The creation date; now by default.
    public init(
        name: UserName,
        passwordHash: String? = nil,
        authorizedKeys: [AuthorizedKey] = [],
        homeDirectory: String = "/",
        uid: UInt32? = nil,
        gid: UInt32? = nil,
        permissions: [String] = [],
        isDisabled: Bool = false,
        createdAt: Date = Date()
    ) {
        self.name = name
        self.passwordHash = passwordHash
        self.authorizedKeys = authorizedKeys
        self.homeDirectory = homeDirectory
        self.uid = uid
        self.gid = gid
        self.permissions = permissions
        self.isDisabled = isDisabled
        self.createdAt = createdAt
    }

    /// Whether the user has a password to log in with.
    public var hasPassword: Bool { self.passwordHash != nil }
}

extension User: CustomStringConvertible {
    /// A summary for logs that never includes the password hash.
    public var description: String {
        "User(\(self.name), password: \(self.hasPassword ? "set" : "none"), keys: \(self.authorizedKeys.count)"
            + "\(self.isDisabled ? ", disabled" : ""))"
    }
}

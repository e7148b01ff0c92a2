/// The crypt(3) hash schemes Ferry accepts for stored passwords.
///
/// Legacy DES (`ab0123…`, `_…`), MD5 (`$1$`), SunMD5, NT and every other scheme are refused, as are locked
/// (`*`, `!…`) and empty hashes.
public enum CryptHashScheme: String, Sendable, CaseIterable {
    /// yescrypt, `$y$`: what ``PasswordHasher`` produces.
    case yescrypt = "$y$"
    /// bcrypt, `$2b$` (and the older `$2a$`, `$2y$` spellings).
    case bcrypt = "$2b$"
    /// SHA-512-crypt, `$6$`.
    case sha512 = "$6$"
    /// SHA-256-crypt, `$5$`.
    case sha256 = "$5$"

    /// The longest hash string accepted; real ones are under 150 characters.
    static let maximumHashLength = 256

    /// Recognises the scheme of a stored hash.
    ///
    /// - Parameter hash: A crypt(3) hash string.
    /// - Returns: Its scheme, or `nil` when the hash is empty, locked, malformed, too long or of a refused scheme.
    public init?(hash: String) {
        let bytes = Array(hash.utf8)
        guard bytes.count <= Self.maximumHashLength, bytes.allSatisfy(Self.isHashCharacter) else { return nil }
        if hash.hasPrefix("$y$") {
            self = .yescrypt
        } else if hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2y$") {
            self = .bcrypt
        } else if hash.hasPrefix("$6$") {
            self = .sha512
        } else if hash.hasPrefix("$5$") {
            self = .sha256
        } else {
            return nil
        }
        // A prefix alone, or a prefix with nothing after its salt, is malformed.
        guard bytes.count > self.rawValue.utf8.count + 1,
            bytes.dropFirst(self.rawValue.utf8.count).contains(UInt8(ascii: "$"))
        else { return nil }
    }

    /// Characters of crypt(3) hashes: the crypt base-64 alphabet, `$` separators and `rounds=`/cost digits.
    private static func isHashCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "$"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}

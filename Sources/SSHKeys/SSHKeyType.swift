/// The public key algorithms Ferry supports, named as they appear on the wire (RFC 4253 §6.6,
/// RFC 5656 §6.2, RFC 8709 §4).
public enum SSHKeyType: String, CaseIterable, Sendable {
    /// Ed25519 (RFC 8709).
    case ed25519 = "ssh-ed25519"
    /// ECDSA over NIST P-256 with SHA-256 (RFC 5656).
    case ecdsaP256 = "ecdsa-sha2-nistp256"
    /// ECDSA over NIST P-384 with SHA-384 (RFC 5656).
    case ecdsaP384 = "ecdsa-sha2-nistp384"
    /// ECDSA over NIST P-521 with SHA-512 (RFC 5656).
    case ecdsaP521 = "ecdsa-sha2-nistp521"
    /// RSA (RFC 4253), signing with SHA-2 (RFC 8332) or SHA-1.
    case rsa = "ssh-rsa"

    /// The curve identifier RFC 5656 §6.1 puts inside ECDSA blobs ("nistp256"), or `nil` for other types.
    var ecdsaCurveName: String? {
        switch self {
        case .ecdsaP256: "nistp256"
        case .ecdsaP384: "nistp384"
        case .ecdsaP521: "nistp521"
        case .ed25519, .rsa: nil
        }
    }

    /// The byte length of a field element / scalar of the ECDSA curve (0 for other types).
    var ecdsaScalarLength: Int {
        switch self {
        case .ecdsaP256: 32
        case .ecdsaP384: 48
        case .ecdsaP521: 66
        case .ed25519, .rsa: 0
        }
    }
}

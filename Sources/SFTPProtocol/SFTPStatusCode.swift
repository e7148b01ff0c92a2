/// The `error/status code` of `SSH_FXP_STATUS` (draft-ietf-secsh-filexfer-02 §7).
///
/// Codes from later drafts are kept as their numbers, so a client can still report them.
public struct SFTPStatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `SSH_FX_OK`: the operation succeeded.
    public static let ok = SFTPStatusCode(rawValue: 0)
    /// `SSH_FX_EOF`: no more data to read, or no more names in the directory.
    public static let eof = SFTPStatusCode(rawValue: 1)
    /// `SSH_FX_NO_SUCH_FILE`: a file that should exist does not.
    public static let noSuchFile = SFTPStatusCode(rawValue: 2)
    /// `SSH_FX_PERMISSION_DENIED`: the user lacks the rights for the operation.
    public static let permissionDenied = SFTPStatusCode(rawValue: 3)
    /// `SSH_FX_FAILURE`: the catch-all error.
    public static let failure = SFTPStatusCode(rawValue: 4)
    /// `SSH_FX_BAD_MESSAGE`: a badly formatted packet or a protocol incompatibility.
    public static let badMessage = SFTPStatusCode(rawValue: 5)
    /// `SSH_FX_NO_CONNECTION`: client-side pseudo-error; servers MUST NOT send it.
    public static let noConnection = SFTPStatusCode(rawValue: 6)
    /// `SSH_FX_CONNECTION_LOST`: client-side pseudo-error; servers MUST NOT send it.
    public static let connectionLost = SFTPStatusCode(rawValue: 7)
    /// `SSH_FX_OP_UNSUPPORTED`: the server does not implement the operation, including unknown
    /// extended requests (§8).
    public static let operationUnsupported = SFTPStatusCode(rawValue: 8)

    /// The draft's name for the code, such as `SSH_FX_EOF`, or the number when it is not defined.
    public var description: String {
        switch self {
        case .ok: "SSH_FX_OK"
        case .eof: "SSH_FX_EOF"
        case .noSuchFile: "SSH_FX_NO_SUCH_FILE"
        case .permissionDenied: "SSH_FX_PERMISSION_DENIED"
        case .failure: "SSH_FX_FAILURE"
        case .badMessage: "SSH_FX_BAD_MESSAGE"
        case .noConnection: "SSH_FX_NO_CONNECTION"
        case .connectionLost: "SSH_FX_CONNECTION_LOST"
        case .operationUnsupported: "SSH_FX_OP_UNSUPPORTED"
        default: "SSH_FX_\(self.rawValue)"
        }
    }

    /// The English message OpenSSH's `sftp-server` sends with the code, such as "No such file".
    public var defaultMessage: String {
        switch self {
        case .ok: "Success"
        case .eof: "End of file"
        case .noSuchFile: "No such file"
        case .permissionDenied: "Permission denied"
        case .failure: "Failure"
        case .badMessage: "Bad message"
        case .noConnection: "No connection"
        case .connectionLost: "Connection lost"
        case .operationUnsupported: "Operation unsupported"
        default: "Unknown error"
        }
    }
}

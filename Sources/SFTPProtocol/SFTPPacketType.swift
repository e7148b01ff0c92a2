/// The `type` byte of an SFTP packet (draft-ietf-secsh-filexfer-02 §3).
///
/// Values this codec does not define are kept as they are, so a decoder can report them.
public struct SFTPPacketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `SSH_FXP_INIT`, the client's hello (§4).
    public static let initialize = SFTPPacketType(rawValue: 1)
    /// `SSH_FXP_VERSION`, the server's hello (§4).
    public static let version = SFTPPacketType(rawValue: 2)
    /// `SSH_FXP_OPEN` (§6.3).
    public static let open = SFTPPacketType(rawValue: 3)
    /// `SSH_FXP_CLOSE` (§6.3).
    public static let close = SFTPPacketType(rawValue: 4)
    /// `SSH_FXP_READ` (§6.4).
    public static let read = SFTPPacketType(rawValue: 5)
    /// `SSH_FXP_WRITE` (§6.4).
    public static let write = SFTPPacketType(rawValue: 6)
    /// `SSH_FXP_LSTAT` (§6.8).
    public static let lstat = SFTPPacketType(rawValue: 7)
    /// `SSH_FXP_FSTAT` (§6.8).
    public static let fstat = SFTPPacketType(rawValue: 8)
    /// `SSH_FXP_SETSTAT` (§6.9).
    public static let setstat = SFTPPacketType(rawValue: 9)
    /// `SSH_FXP_FSETSTAT` (§6.9).
    public static let fsetstat = SFTPPacketType(rawValue: 10)
    /// `SSH_FXP_OPENDIR` (§6.7).
    public static let opendir = SFTPPacketType(rawValue: 11)
    /// `SSH_FXP_READDIR` (§6.7).
    public static let readdir = SFTPPacketType(rawValue: 12)
    /// `SSH_FXP_REMOVE` (§6.5).
    public static let remove = SFTPPacketType(rawValue: 13)
    /// `SSH_FXP_MKDIR` (§6.6).
    public static let mkdir = SFTPPacketType(rawValue: 14)
    /// `SSH_FXP_RMDIR` (§6.6).
    public static let rmdir = SFTPPacketType(rawValue: 15)
    /// `SSH_FXP_REALPATH` (§6.11).
    public static let realpath = SFTPPacketType(rawValue: 16)
    /// `SSH_FXP_STAT` (§6.8).
    public static let stat = SFTPPacketType(rawValue: 17)
    /// `SSH_FXP_RENAME` (§6.5).
    public static let rename = SFTPPacketType(rawValue: 18)
    /// `SSH_FXP_READLINK` (§6.10).
    public static let readlink = SFTPPacketType(rawValue: 19)
    /// `SSH_FXP_SYMLINK` (§6.10).
    public static let symlink = SFTPPacketType(rawValue: 20)
    /// `SSH_FXP_STATUS` (§7).
    public static let status = SFTPPacketType(rawValue: 101)
    /// `SSH_FXP_HANDLE` (§7).
    public static let handle = SFTPPacketType(rawValue: 102)
    /// `SSH_FXP_DATA` (§7).
    public static let data = SFTPPacketType(rawValue: 103)
    /// `SSH_FXP_NAME` (§7).
    public static let name = SFTPPacketType(rawValue: 104)
    /// `SSH_FXP_ATTRS` (§7).
    public static let attributes = SFTPPacketType(rawValue: 105)
    /// `SSH_FXP_EXTENDED` (§8).
    public static let extended = SFTPPacketType(rawValue: 200)
    /// `SSH_FXP_EXTENDED_REPLY` (§8).
    public static let extendedReply = SFTPPacketType(rawValue: 201)

    /// Whether draft-ietf-secsh-filexfer-02 §3 defines the type (1–20, 101–105, 200, 201).
    public var isDefined: Bool {
        switch self.rawValue {
        case 1...20, 101...105, 200, 201: true
        default: false
        }
    }

    /// The draft's name for the type, such as `SSH_FXP_OPEN`, or the number when it is not defined.
    public var description: String {
        switch self {
        case .initialize: "SSH_FXP_INIT"
        case .version: "SSH_FXP_VERSION"
        case .open: "SSH_FXP_OPEN"
        case .close: "SSH_FXP_CLOSE"
        case .read: "SSH_FXP_READ"
        case .write: "SSH_FXP_WRITE"
        case .lstat: "SSH_FXP_LSTAT"
        case .fstat: "SSH_FXP_FSTAT"
        case .setstat: "SSH_FXP_SETSTAT"
        case .fsetstat: "SSH_FXP_FSETSTAT"
        case .opendir: "SSH_FXP_OPENDIR"
        case .readdir: "SSH_FXP_READDIR"
        case .remove: "SSH_FXP_REMOVE"
        case .mkdir: "SSH_FXP_MKDIR"
        case .rmdir: "SSH_FXP_RMDIR"
        case .realpath: "SSH_FXP_REALPATH"
        case .stat: "SSH_FXP_STAT"
        case .rename: "SSH_FXP_RENAME"
        case .readlink: "SSH_FXP_READLINK"
        case .symlink: "SSH_FXP_SYMLINK"
        case .status: "SSH_FXP_STATUS"
        case .handle: "SSH_FXP_HANDLE"
        case .data: "SSH_FXP_DATA"
        case .name: "SSH_FXP_NAME"
        case .attributes: "SSH_FXP_ATTRS"
        case .extended: "SSH_FXP_EXTENDED"
        case .extendedReply: "SSH_FXP_EXTENDED_REPLY"
        default: "SSH_FXP_\(self.rawValue)"
        }
    }
}

import NIOCore

/// A packet from client to server: `SSH_FXP_INIT` and every request of draft-ietf-secsh-filexfer-02
/// §6 and §8.
///
/// Each case carries a value with the packet's fields, including its request id (except `INIT`,
/// which has none). Decode with ``NIOCore/ByteBuffer/readSFTPRequest()`` and encode with
/// ``NIOCore/ByteBuffer/writeSFTPRequest(_:)``.
public enum SFTPRequest: Hashable, Sendable {
    /// `SSH_FXP_INIT` (§4).
    case initialize(Initialize)
    /// `SSH_FXP_OPEN` (§6.3).
    case open(Open)
    /// `SSH_FXP_CLOSE` (§6.3).
    case close(Close)
    /// `SSH_FXP_READ` (§6.4).
    case read(Read)
    /// `SSH_FXP_WRITE` (§6.4).
    case write(Write)
    /// `SSH_FXP_LSTAT` (§6.8).
    case lstat(LStat)
    /// `SSH_FXP_FSTAT` (§6.8).
    case fstat(FStat)
    /// `SSH_FXP_SETSTAT` (§6.9).
    case setstat(SetStat)
    /// `SSH_FXP_FSETSTAT` (§6.9).
    case fsetstat(FSetStat)
    /// `SSH_FXP_OPENDIR` (§6.7).
    case opendir(OpenDir)
    /// `SSH_FXP_READDIR` (§6.7).
    case readdir(ReadDir)
    /// `SSH_FXP_REMOVE` (§6.5).
    case remove(Remove)
    /// `SSH_FXP_MKDIR` (§6.6).
    case mkdir(MakeDirectory)
    /// `SSH_FXP_RMDIR` (§6.6).
    case rmdir(RemoveDirectory)
    /// `SSH_FXP_REALPATH` (§6.11).
    case realpath(RealPath)
    /// `SSH_FXP_STAT` (§6.8).
    case stat(Stat)
    /// `SSH_FXP_RENAME` (§6.5).
    case rename(Rename)
    /// `SSH_FXP_READLINK` (§6.10).
    case readlink(ReadLink)
    /// `SSH_FXP_SYMLINK` (§6.10), in OpenSSH's argument order (see ``Symlink``).
    case symlink(Symlink)
    /// `SSH_FXP_EXTENDED` (§8); see ``SFTPExtendedRequest`` for OpenSSH's extensions.
    case extended(Extended)

    /// The packet type this request encodes with.
    public var packetType: SFTPPacketType {
        switch self {
        case .initialize: .initialize
        case .open: .open
        case .close: .close
        case .read: .read
        case .write: .write
        case .lstat: .lstat
        case .fstat: .fstat
        case .setstat: .setstat
        case .fsetstat: .fsetstat
        case .opendir: .opendir
        case .readdir: .readdir
        case .remove: .remove
        case .mkdir: .mkdir
        case .rmdir: .rmdir
        case .realpath: .realpath
        case .stat: .stat
        case .rename: .rename
        case .readlink: .readlink
        case .symlink: .symlink
        case .extended: .extended
        }
    }

    /// The request id, or `nil` for `SSH_FXP_INIT`, which has none (§4).
    public var requestID: UInt32? {
        switch self {
        case .initialize: nil
        case .open(let m): m.requestID
        case .close(let m): m.requestID
        case .read(let m): m.requestID
        case .write(let m): m.requestID
        case .lstat(let m): m.requestID
        case .fstat(let m): m.requestID
        case .setstat(let m): m.requestID
        case .fsetstat(let m): m.requestID
        case .opendir(let m): m.requestID
        case .readdir(let m): m.requestID
        case .remove(let m): m.requestID
        case .mkdir(let m): m.requestID
        case .rmdir(let m): m.requestID
        case .realpath(let m): m.requestID
        case .stat(let m): m.requestID
        case .rename(let m): m.requestID
        case .readlink(let m): m.requestID
        case .symlink(let m): m.requestID
        case .extended(let m): m.requestID
        }
    }
}

import NIOCore

/// An `SSH_FXP_EXTENDED` request decoded by name into one of OpenSSH's extensions (OpenSSH PROTOCOL
/// §4.3–§4.12), for a server to dispatch on.
public enum SFTPExtendedRequest: Hashable, Sendable {
    /// `posix-rename@openssh.com`.
    case posixRename(SFTPExtensions.PosixRename)
    /// `statvfs@openssh.com`.
    case statVFS(SFTPExtensions.StatVFS)
    /// `fstatvfs@openssh.com`.
    case fstatVFS(SFTPExtensions.FStatVFS)
    /// `hardlink@openssh.com`.
    case hardlink(SFTPExtensions.Hardlink)
    /// `fsync@openssh.com`.
    case fsync(SFTPExtensions.Fsync)
    /// `lsetstat@openssh.com`.
    case lsetstat(SFTPExtensions.LSetStat)
    /// `limits@openssh.com`.
    case limits(SFTPExtensions.Limits)
    /// `expand-path@openssh.com`.
    case expandPath(SFTPExtensions.ExpandPath)
    /// `copy-data`.
    case copyData(SFTPExtensions.CopyData)
    /// `home-directory`.
    case homeDirectory(SFTPExtensions.HomeDirectory)
    /// `users-groups-by-id@openssh.com`.
    case usersGroupsByID(SFTPExtensions.UsersGroupsByID)
    /// A name this codec does not know; a server answers it with `SSH_FX_OP_UNSUPPORTED`
    /// (draft-ietf-secsh-filexfer-02 §8).
    case unknown(name: String, payload: ByteBuffer)

    /// Decodes `request`'s payload according to its name.
    ///
    /// - Throws: ``SFTPError`` with code `.badMessage`, carrying the request id, when a known
    ///   extension's payload is malformed.
    public init(_ request: SFTPRequest.Extended) throws(SFTPError) {
        switch request.name {
        case SFTPExtensions.PosixRename.extensionName: self = .posixRename(try request.decode())
        case SFTPExtensions.StatVFS.extensionName: self = .statVFS(try request.decode())
        case SFTPExtensions.FStatVFS.extensionName: self = .fstatVFS(try request.decode())
        case SFTPExtensions.Hardlink.extensionName: self = .hardlink(try request.decode())
        case SFTPExtensions.Fsync.extensionName: self = .fsync(try request.decode())
        case SFTPExtensions.LSetStat.extensionName: self = .lsetstat(try request.decode())
        case SFTPExtensions.Limits.extensionName: self = .limits(try request.decode())
        case SFTPExtensions.ExpandPath.extensionName: self = .expandPath(try request.decode())
        case SFTPExtensions.CopyData.extensionName: self = .copyData(try request.decode())
        case SFTPExtensions.HomeDirectory.extensionName: self = .homeDirectory(try request.decode())
        case SFTPExtensions.UsersGroupsByID.extensionName: self = .usersGroupsByID(try request.decode())
        default: self = .unknown(name: request.name, payload: request.payload)
        }
    }

    /// The extended request carrying this payload, with the given request id.
    public func request(id requestID: UInt32) -> SFTPRequest.Extended {
        switch self {
        case .posixRename(let p): .init(requestID: requestID, p)
        case .statVFS(let p): .init(requestID: requestID, p)
        case .fstatVFS(let p): .init(requestID: requestID, p)
        case .hardlink(let p): .init(requestID: requestID, p)
        case .fsync(let p): .init(requestID: requestID, p)
        case .lsetstat(let p): .init(requestID: requestID, p)
        case .limits(let p): .init(requestID: requestID, p)
        case .expandPath(let p): .init(requestID: requestID, p)
        case .copyData(let p): .init(requestID: requestID, p)
        case .homeDirectory(let p): .init(requestID: requestID, p)
        case .usersGroupsByID(let p): .init(requestID: requestID, p)
        case .unknown(let name, let payload): .init(requestID: requestID, name: name, payload: payload)
        }
    }
}

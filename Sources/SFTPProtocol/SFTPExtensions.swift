import NIOCore

/// OpenSSH's SFTP extensions (OpenSSH PROTOCOL §4.3–§4.12), carried in `SSH_FXP_EXTENDED` and
/// answered by `SSH_FXP_STATUS`, `SSH_FXP_NAME` or `SSH_FXP_EXTENDED_REPLY`.
///
/// Each request type conforms to ``SFTPExtendedRequestPayload`` and each reply type to
/// ``SFTPExtendedReplyPayload``, so they convert to and from the raw packets with
/// ``SFTPRequest/Extended/init(requestID:_:)``, ``SFTPRequest/Extended/decode(_:)``,
/// ``SFTPResponse/ExtendedReply/init(requestID:_:)`` and ``SFTPResponse/ExtendedReply/decode(_:)``.
public enum SFTPExtensions {
    /// The extensions OpenSSH's `sftp-server` announces in `SSH_FXP_VERSION`, in its order, each with
    /// the version it announces (OpenSSH PROTOCOL §4.2; observed from OpenSSH 9.2).
    public static let openSSHAdvertisement: [SFTPExtensionPair] = {
        let types: [any SFTPExtendedRequestPayload.Type] = [
            PosixRename.self, StatVFS.self, FStatVFS.self, Hardlink.self, Fsync.self, LSetStat.self,
            Limits.self, ExpandPath.self, CopyData.self, HomeDirectory.self, UsersGroupsByID.self,
        ]
        return types.map { SFTPExtensionPair(name: $0.extensionName, data: $0.extensionVersion) }
    }()
}

/// The request-specific data of one `SSH_FXP_EXTENDED` request (draft-ietf-secsh-filexfer-02 §8):
/// everything after the `extended-request` name.
public protocol SFTPExtendedRequestPayload: Hashable, Sendable {
    /// The `extended-request` name, such as `posix-rename@openssh.com`.
    static var extensionName: String { get }
    /// The version a server announces for the extension in `SSH_FXP_VERSION`, such as `"1"`.
    static var extensionVersion: String { get }
    /// Reads the payload, or returns `nil` when it is truncated or malformed.
    static func read(from payload: inout ByteBuffer) -> Self?
    /// Writes the payload.
    func write(to payload: inout ByteBuffer)
}

/// The data of one `SSH_FXP_EXTENDED_REPLY` (draft-ietf-secsh-filexfer-02 §8): everything after
/// the request id.
public protocol SFTPExtendedReplyPayload: Hashable, Sendable {
    /// Reads the payload, or returns `nil` when it is truncated or malformed.
    static func read(from payload: inout ByteBuffer) -> Self?
    /// Writes the payload.
    func write(to payload: inout ByteBuffer)
}

extension SFTPRequest.Extended {
    /// An extended request carrying a typed payload under its extension's name.
    public init<Payload: SFTPExtendedRequestPayload>(requestID: UInt32, _ payload: Payload) {
        var buffer = ByteBuffer()
        payload.write(to: &buffer)
        self.init(requestID: requestID, name: Payload.extensionName, payload: buffer)
    }

    /// Decodes the payload as the given extension. Bytes after its last field are ignored.
    ///
    /// - Throws: ``SFTPError`` with code `.wrongExtension` when ``name`` is another extension's, or
    ///   `.badMessage` when the payload is malformed; both carry the request id.
    public func decode<Payload: SFTPExtendedRequestPayload>(
        _ type: Payload.Type = Payload.self
    ) throws(SFTPError) -> Payload {
        guard self.name == Payload.extensionName else {
            throw SFTPError(
                .wrongExtension,
                "\(self.name) is not \(Payload.extensionName)",
                requestID: self.requestID
            )
        }
        var payload = self.payload
        guard let value = Payload.read(from: &payload) else {
            throw SFTPError(.badMessage, "malformed \(self.name) request", requestID: self.requestID)
        }
        return value
    }
}

extension SFTPResponse.ExtendedReply {
    /// An extended reply carrying a typed payload.
    public init<Payload: SFTPExtendedReplyPayload>(requestID: UInt32, _ payload: Payload) {
        var buffer = ByteBuffer()
        payload.write(to: &buffer)
        self.init(requestID: requestID, payload: buffer)
    }

    /// Decodes the payload as the given reply type. Bytes after its last field are ignored.
    ///
    /// - Throws: ``SFTPError`` with code `.badMessage`, carrying the request id, when the payload is
    ///   malformed.
    public func decode<Payload: SFTPExtendedReplyPayload>(
        _ type: Payload.Type = Payload.self
    ) throws(SFTPError) -> Payload {
        var payload = self.payload
        guard let value = Payload.read(from: &payload) else {
            throw SFTPError(.badMessage, "malformed \(Payload.self) payload", requestID: self.requestID)
        }
        return value
    }
}

import NIOCore

/// Any SFTP packet: a request (client to server) or a response (server to client).
///
/// Most code knows which way it reads and uses ``NIOCore/ByteBuffer/readSFTPRequest()`` (a server) or
/// ``NIOCore/ByteBuffer/readSFTPResponse()`` (a client); this type is for code that handles both,
/// such as tests, proxies and tracing.
public enum SFTPMessage: Hashable, Sendable {
    /// A packet from client to server.
    case request(SFTPRequest)
    /// A packet from server to client.
    case response(SFTPResponse)

    /// The packet type the message encodes with.
    public var packetType: SFTPPacketType {
        switch self {
        case .request(let request): request.packetType
        case .response(let response): response.packetType
        }
    }

    /// The request id, or `nil` for `SSH_FXP_INIT` and `SSH_FXP_VERSION`.
    public var requestID: UInt32? {
        switch self {
        case .request(let request): request.requestID
        case .response(let response): response.requestID
        }
    }
}

import NIOCore

/// A packet from server to client: `SSH_FXP_VERSION` and every response of
/// draft-ietf-secsh-filexfer-02 §7 and §8.
///
/// Each case carries a value with the packet's fields, including the id of the request it answers
/// (except `VERSION`, which has none). Decode with ``NIOCore/ByteBuffer/readSFTPResponse()`` and
/// encode with ``NIOCore/ByteBuffer/writeSFTPResponse(_:)``.
public enum SFTPResponse: Hashable, Sendable {
    /// `SSH_FXP_VERSION` (§4).
    case version(Version)
    /// `SSH_FXP_STATUS` (§7).
    case status(Status)
    /// `SSH_FXP_HANDLE` (§7).
    case handle(Handle)
    /// `SSH_FXP_DATA` (§7).
    case data(Data)
    /// `SSH_FXP_NAME` (§7).
    case name(Name)
    /// `SSH_FXP_ATTRS` (§7).
    case attributes(Attributes)
    /// `SSH_FXP_EXTENDED_REPLY` (§8).
    case extendedReply(ExtendedReply)

    /// The packet type this response encodes with.
    public var packetType: SFTPPacketType {
        switch self {
        case .version: .version
        case .status: .status
        case .handle: .handle
        case .data: .data
        case .name: .name
        case .attributes: .attributes
        case .extendedReply: .extendedReply
        }
    }

    /// The id of the request this answers, or `nil` for `SSH_FXP_VERSION` (§4).
    public var requestID: UInt32? {
        switch self {
        case .version: nil
        case .status(let m): m.requestID
        case .handle(let m): m.requestID
        case .data(let m): m.requestID
        case .name(let m): m.requestID
        case .attributes(let m): m.requestID
        case .extendedReply(let m): m.requestID
        }
    }
}

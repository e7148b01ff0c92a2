import NIOCore

/// One SSH message (the payload of one binary packet, RFC 4253 §6), for every layer: transport,
/// user authentication and connection.
///
/// Decoding never loses data: a message number this codec does not know becomes ``unknown(number:payload:)``
/// so the transport can answer it with `SSH_MSG_UNIMPLEMENTED` (RFC 4253 §11.4), and method-specific
/// authentication messages (60–79) are kept raw because their meaning depends on the method in use.
public enum SSHMessage: Sendable, Equatable {
    case disconnect(Disconnect)
    case ignore(Ignore)
    case unimplemented(Unimplemented)
    case debug(Debug)
    case serviceRequest(ServiceRequest)
    case serviceAccept(ServiceAccept)
    case extInfo(ExtInfo)
    case kexInit(KeyExchangeInit)
    case newKeys
    case kexECDHInit(KeyExchangeECDHInit)
    case kexECDHReply(KeyExchangeECDHReply)
    case userAuthRequest(UserAuthRequest)
    case userAuthFailure(UserAuthFailure)
    case userAuthSuccess
    case userAuthBanner(UserAuthBanner)
    /// Messages 60–79, whose layout depends on the authentication method (RFC 4252 §6).
    case userAuthMethodSpecific(number: UInt8, payload: ByteBuffer)
    case globalRequest(GlobalRequest)
    case requestSuccess(RequestSuccess)
    case requestFailure
    case channelOpen(ChannelOpen)
    case channelOpenConfirmation(ChannelOpenConfirmation)
    case channelOpenFailure(ChannelOpenFailure)
    case channelWindowAdjust(ChannelWindowAdjust)
    case channelData(ChannelData)
    case channelExtendedData(ChannelExtendedData)
    case channelEOF(ChannelEOF)
    case channelClose(ChannelClose)
    case channelRequest(ChannelRequest)
    case channelSuccess(ChannelSuccess)
    case channelFailure(ChannelFailure)
    /// A message number this codec does not interpret; `payload` excludes the number byte.
    case unknown(number: UInt8, payload: ByteBuffer)
}

/// Message numbers (RFC 4250 §4.1, RFC 8308 §2.3, RFC 5656 §7.1).
public enum SSHMessageNumber {
    public static let disconnect: UInt8 = 1
    public static let ignore: UInt8 = 2
    public static let unimplemented: UInt8 = 3
    public static let debug: UInt8 = 4
    public static let serviceRequest: UInt8 = 5
    public static let serviceAccept: UInt8 = 6
    public static let extInfo: UInt8 = 7
    public static let kexInit: UInt8 = 20
    public static let newKeys: UInt8 = 21
    public static let kexECDHInit: UInt8 = 30
    public static let kexECDHReply: UInt8 = 31
    public static let userAuthRequest: UInt8 = 50
    public static let userAuthFailure: UInt8 = 51
    public static let userAuthSuccess: UInt8 = 52
    public static let userAuthBanner: UInt8 = 53
    public static let userAuthPKOK: UInt8 = 60
    public static let userAuthInfoRequest: UInt8 = 60
    public static let userAuthInfoResponse: UInt8 = 61
    public static let globalRequest: UInt8 = 80
    public static let requestSuccess: UInt8 = 81
    public static let requestFailure: UInt8 = 82
    public static let channelOpen: UInt8 = 90
    public static let channelOpenConfirmation: UInt8 = 91
    public static let channelOpenFailure: UInt8 = 92
    public static let channelWindowAdjust: UInt8 = 93
    public static let channelData: UInt8 = 94
    public static let channelExtendedData: UInt8 = 95
    public static let channelEOF: UInt8 = 96
    public static let channelClose: UInt8 = 97
    public static let channelRequest: UInt8 = 98
    public static let channelSuccess: UInt8 = 99
    public static let channelFailure: UInt8 = 100
}

extension SSHMessage {
    /// The message number this value is sent with.
    public var number: UInt8 {
        switch self {
        case .disconnect: return SSHMessageNumber.disconnect
        case .ignore: return SSHMessageNumber.ignore
        case .unimplemented: return SSHMessageNumber.unimplemented
        case .debug: return SSHMessageNumber.debug
        case .serviceRequest: return SSHMessageNumber.serviceRequest
        case .serviceAccept: return SSHMessageNumber.serviceAccept
        case .extInfo: return SSHMessageNumber.extInfo
        case .kexInit: return SSHMessageNumber.kexInit
        case .newKeys: return SSHMessageNumber.newKeys
        case .kexECDHInit: return SSHMessageNumber.kexECDHInit
        case .kexECDHReply: return SSHMessageNumber.kexECDHReply
        case .userAuthRequest: return SSHMessageNumber.userAuthRequest
        case .userAuthFailure: return SSHMessageNumber.userAuthFailure
        case .userAuthSuccess: return SSHMessageNumber.userAuthSuccess
        case .userAuthBanner: return SSHMessageNumber.userAuthBanner
        case .userAuthMethodSpecific(let number, _): return number
        case .globalRequest: return SSHMessageNumber.globalRequest
        case .requestSuccess: return SSHMessageNumber.requestSuccess
        case .requestFailure: return SSHMessageNumber.requestFailure
        case .channelOpen: return SSHMessageNumber.channelOpen
        case .channelOpenConfirmation: return SSHMessageNumber.channelOpenConfirmation
        case .channelOpenFailure: return SSHMessageNumber.channelOpenFailure
        case .channelWindowAdjust: return SSHMessageNumber.channelWindowAdjust
        case .channelData: return SSHMessageNumber.channelData
        case .channelExtendedData: return SSHMessageNumber.channelExtendedData
        case .channelEOF: return SSHMessageNumber.channelEOF
        case .channelClose: return SSHMessageNumber.channelClose
        case .channelRequest: return SSHMessageNumber.channelRequest
        case .channelSuccess: return SSHMessageNumber.channelSuccess
        case .channelFailure: return SSHMessageNumber.channelFailure
        case .unknown(let number, _): return number
        }
    }

    /// A short name for logs (never includes message contents).
    public var name: String {
        switch self {
        case .disconnect: return "DISCONNECT"
        case .ignore: return "IGNORE"
        case .unimplemented: return "UNIMPLEMENTED"
        case .debug: return "DEBUG"
        case .serviceRequest: return "SERVICE_REQUEST"
        case .serviceAccept: return "SERVICE_ACCEPT"
        case .extInfo: return "EXT_INFO"
        case .kexInit: return "KEXINIT"
        case .newKeys: return "NEWKEYS"
        case .kexECDHInit: return "KEX_ECDH_INIT"
        case .kexECDHReply: return "KEX_ECDH_REPLY"
        case .userAuthRequest: return "USERAUTH_REQUEST"
        case .userAuthFailure: return "USERAUTH_FAILURE"
        case .userAuthSuccess: return "USERAUTH_SUCCESS"
        case .userAuthBanner: return "USERAUTH_BANNER"
        case .userAuthMethodSpecific(let number, _): return "USERAUTH_\(number)"
        case .globalRequest: return "GLOBAL_REQUEST"
        case .requestSuccess: return "REQUEST_SUCCESS"
        case .requestFailure: return "REQUEST_FAILURE"
        case .channelOpen: return "CHANNEL_OPEN"
        case .channelOpenConfirmation: return "CHANNEL_OPEN_CONFIRMATION"
        case .channelOpenFailure: return "CHANNEL_OPEN_FAILURE"
        case .channelWindowAdjust: return "CHANNEL_WINDOW_ADJUST"
        case .channelData: return "CHANNEL_DATA"
        case .channelExtendedData: return "CHANNEL_EXTENDED_DATA"
        case .channelEOF: return "CHANNEL_EOF"
        case .channelClose: return "CHANNEL_CLOSE"
        case .channelRequest: return "CHANNEL_REQUEST"
        case .channelSuccess: return "CHANNEL_SUCCESS"
        case .channelFailure: return "CHANNEL_FAILURE"
        case .unknown(let number, _): return "MSG_\(number)"
        }
    }
}

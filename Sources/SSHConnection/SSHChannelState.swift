import NIOCore
import SSHProtocol

/// One item waiting to go out on a channel, kept in order so that data, EOF, requests and CLOSE leave in
/// the order the application asked for them.
enum ChannelOutboundItem {
    case data(ByteBuffer, extendedType: UInt32?)
    case request(SSHMessage.ChannelRequest.RequestType, wantReply: Bool)
    case eof
    case close
}

/// The connection protocol's view of one channel (RFC 4254 §5). A class, so that queue operations
/// mutate in place instead of copying the queue.
final class ChannelState {
    enum Phase {
        /// We sent CHANNEL_OPEN and wait for the answer.
        case opening
        case open
    }

    let localID: UInt32
    var remoteID: UInt32 = 0
    var phase: Phase
    var type: String

    /// Bytes the peer may still send us.
    var receiveWindow: UInt32
    /// Bytes received and handed to the application but not yet granted back.
    var unacknowledged: UInt32 = 0
    /// When set, the window is not replenished, so the peer stops once it has used it.
    var isReadPaused = false

    /// Bytes we may still send.
    var sendWindow: UInt64 = 0
    var remoteMaximumPacket: Int = 32768

    var outbound = CircularBuffer<ChannelOutboundItem>(initialCapacity: 8)
    var outboundBytes = 0
    var isWritable = true

    var eofSent = false
    var eofReceived = false
    var closeSent = false
    var closeReceived = false
    /// Our requests that wanted a reply, awaiting it (replies come in order, RFC 4254 §5.4).
    var pendingReplies = 0

    init(localID: UInt32, phase: Phase, type: String, receiveWindow: UInt32) {
        self.localID = localID
        self.phase = phase
        self.type = type
        self.receiveWindow = receiveWindow
    }
}

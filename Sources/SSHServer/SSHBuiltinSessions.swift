import NIOCore

/// A subsystem that reads everything and sends nothing back (for measuring the transport).
public final class SSHDiscardSession: SSHSessionHandler {
    public private(set) var bytesReceived = 0

    public init() {}

    public func start(_ channel: SSHSessionChannel) {}

    public func received(_ data: ByteBuffer, channel: SSHSessionChannel) {
        self.bytesReceived += data.readableBytes
    }

    public func receivedEOF(channel: SSHSessionChannel) {
        channel.finish(exitStatus: 0)
    }

    public func closed(channel: SSHSessionChannel) {}
}

/// A subsystem that sends back everything it reads, with backpressure: it stops reading while its
/// replies cannot leave.
public final class SSHEchoSession: SSHSessionHandler {
    private var eofReceived = false

    public init() {}

    public func start(_ channel: SSHSessionChannel) {}

    public func received(_ data: ByteBuffer, channel: SSHSessionChannel) {
        if !channel.write(data) {
            channel.setReadPaused(true)
        }
    }

    public func writabilityChanged(_ writable: Bool, channel: SSHSessionChannel) {
        if writable { channel.setReadPaused(false) }
    }

    public func receivedEOF(channel: SSHSessionChannel) {
        channel.finish(exitStatus: 0)
    }

    public func closed(channel: SSHSessionChannel) {}
}

import NIOCore
import SSHProtocol

// RFC 4254: channels, flow control and requests.
extension SSHConnectionEngine {
    // MARK: Application API

    /// Client role: asks for a new "session" channel. The answer comes as
    /// ``SSHConnectionEngineDelegate/engine(_:channelOpened:)`` or `channelOpenFailed`.
    ///
    /// - Returns: the local channel number.
    /// - Throws: ``SSHError`` `.limitExceeded` when too many channels are open, `.channelError` before
    ///   authentication.
    public func openSessionChannel() throws -> UInt32 {
        guard self.authenticatedUsername != nil, !self.isClosed else {
            throw SSHError(.channelError, "cannot open a channel before authentication")
        }
        let id = try self.allocateChannelID()
        let limits = self.configuration.limits
        self.channels[id] = ChannelState(
            localID: id,
            phase: .opening,
            type: "session",
            receiveWindow: limits.channelWindowSize
        )
        self.send(
            .channelOpen(
                .init(
                    type: "session",
                    senderChannel: id,
                    initialWindowSize: limits.channelWindowSize,
                    maximumPacketSize: limits.channelMaximumPacketSize
                )
            )
        )
        return id
    }

    /// Queues data for the peer. Never fails for flow-control reasons: the bytes wait until the peer's window
    /// and the transport allow them.
    ///
    /// - Returns: whether the channel is still below its high water mark.
    @discardableResult
    public func write(_ data: ByteBuffer, channel: UInt32, extendedType: UInt32? = nil) -> Bool {
        guard let state = self.channels[channel], !state.eofSent, !state.closeSent, data.readableBytes > 0 else {
            return false
        }
        state.outbound.append(.data(data, extendedType: extendedType))
        state.outboundBytes += data.readableBytes
        if state.isWritable && state.outboundBytes >= self.configuration.limits.channelHighWaterMark {
            state.isWritable = false
            self.channels[channel] = state
            self.delegate?.engine(self, channel: channel, writabilityChanged: false)
        } else {
            self.channels[channel] = state
        }
        self.drainChannels()
        return self.channels[channel]?.isWritable ?? false
    }

    /// Queues a channel request (exec, subsystem, exit-status, …) behind any queued data.
    public func sendRequest(_ request: SSHMessage.ChannelRequest.RequestType, wantReply: Bool, channel: UInt32) {
        guard let state = self.channels[channel], !state.closeSent else { return }
        state.outbound.append(.request(request, wantReply: wantReply))
        self.channels[channel] = state
        self.drainChannels()
    }

    /// Queues EOF behind any queued data.
    public func sendEOF(channel: UInt32) {
        guard let state = self.channels[channel], !state.eofSent, !state.closeSent else { return }
        state.outbound.append(.eof)
        state.eofSent = true
        self.channels[channel] = state
        self.drainChannels()
    }

    /// Queues CLOSE behind any queued data and requests.
    public func close(channel: UInt32) {
        guard let state = self.channels[channel], !state.closeSent else { return }
        if case .opening = state.phase {
            // Cannot close what has no remote number yet: close when the confirmation arrives.
            state.outbound.append(.close)
            state.closeSent = true
            self.channels[channel] = state
            return
        }
        state.outbound.append(.close)
        state.closeSent = true
        self.channels[channel] = state
        self.drainChannels()
    }

    /// Stops or restarts granting the peer more window on this channel (inbound backpressure).
    public func setReadPaused(_ paused: Bool, channel: UInt32) {
        guard let state = self.channels[channel] else { return }
        state.isReadPaused = paused
        self.channels[channel] = state
        if !paused { self.replenishWindow(channel: channel) }
    }

    /// Bytes queued on a channel and not yet sent.
    public func queuedBytes(channel: UInt32) -> Int {
        self.channels[channel]?.outboundBytes ?? 0
    }

    /// Whether any channel has queued items.
    public var hasQueuedChannelOutput: Bool {
        self.channels.values.contains { !$0.outbound.isEmpty && $0.phase == .open }
    }

    /// The numbers of the channels currently known.
    public var openChannels: [UInt32] { Array(self.channels.keys).sorted() }

    // MARK: Outbound scheduling

    /// Moves queued channel items into packets while the transport may carry them, up to `budget` bytes of
    /// output, visiting channels in turn so one busy channel cannot starve the others.
    public func drainChannels(budget: Int = 1 << 20) {
        guard !self.isClosed, self.isTransportWritable, !self.isChannelDataBlocked, !self.channels.isEmpty else {
            return
        }
        let start = self.output.readableBytes
        var progressed = true
        while progressed && self.output.readableBytes - start < budget && !self.isChannelDataBlocked {
            progressed = false
            for id in self.channels.keys.sorted() {
                if self.drainOne(channel: id, budget: budget - (self.output.readableBytes - start)) {
                    progressed = true
                }
                if self.isChannelDataBlocked { break }
            }
        }
    }

    /// Whether channel traffic must wait: during our half of a key exchange, or when the current keys'
    /// byte budget is spent and the exchange that renews them cannot start until the running one ends.
    var isChannelDataBlocked: Bool {
        if self.keyExchange.holdsOutbound { return true }
        if case .idle = self.keyExchange { return false }
        return self.bytesSentWithKeys >= self.configuration.limits.rekeyBytes
    }

    /// Sends what one channel can send; returns whether anything was sent.
    private func drainOne(channel id: UInt32, budget: Int) -> Bool {
        guard let state = self.channels[id], state.phase == .open else { return false }
        var sent = false
        var budget = budget
        loop: while let item = state.outbound.first, budget > 0, !self.isChannelDataBlocked {
            switch item {
            case .data(var data, let extendedType):
                let allowed = min(UInt64(data.readableBytes), state.sendWindow, UInt64(state.remoteMaximumPacket))
                guard allowed > 0 else { break loop }
                let chunk = data.readSlice(length: Int(allowed))!
                if data.readableBytes == 0 {
                    state.outbound.removeFirst()
                } else {
                    state.outbound[state.outbound.startIndex] = .data(data, extendedType: extendedType)
                }
                state.sendWindow -= allowed
                state.outboundBytes -= Int(allowed)
                budget -= Int(allowed)
                self.sendChannelData(recipient: state.remoteID, data: chunk, extendedType: extendedType)
            case .request(let request, let wantReply):
                state.outbound.removeFirst()
                if wantReply { state.pendingReplies += 1 }
                self.sendNow(
                    .channelRequest(.init(recipientChannel: state.remoteID, type: request, wantReply: wantReply))
                )
            case .eof:
                state.outbound.removeFirst()
                self.sendNow(.channelEOF(.init(recipientChannel: state.remoteID)))
            case .close:
                state.outbound.removeAll()
                state.outboundBytes = 0
                self.sendNow(.channelClose(.init(recipientChannel: state.remoteID)))
            }
            sent = true
        }
        let lowWater = self.configuration.limits.channelHighWaterMark / 2
        let becameWritable = !state.isWritable && state.outboundBytes <= lowWater && !state.closeSent
        if becameWritable { state.isWritable = true }
        self.channels[id] = state
        if state.closeSent && state.closeReceived && state.outbound.isEmpty {
            self.releaseChannel(id)
        } else if becameWritable {
            self.delegate?.engine(self, channel: id, writabilityChanged: true)
        }
        return sent
    }

    private func allocateChannelID() throws -> UInt32 {
        guard self.channels.count < self.configuration.limits.maximumChannels else {
            throw SSHError(.limitExceeded, "too many channels open")
        }
        while self.channels[self.nextChannelID] != nil { self.nextChannelID &+= 1 }
        let id = self.nextChannelID
        self.nextChannelID &+= 1
        return id
    }

    private func releaseChannel(_ id: UInt32) {
        guard self.channels.removeValue(forKey: id) != nil else { return }
        self.delegate?.engine(self, channelClosed: id)
    }

    private func replenishWindow(channel id: UInt32) {
        guard let state = self.channels[id], !state.isReadPaused, !state.closeSent, !state.eofReceived else { return }
        let window = self.configuration.limits.channelWindowSize
        guard state.unacknowledged > 0, state.unacknowledged >= window / 2 || state.receiveWindow < window / 2 else {
            return
        }
        let grant = state.unacknowledged
        state.receiveWindow += grant
        state.unacknowledged = 0
        self.channels[id] = state
        self.send(.channelWindowAdjust(.init(recipientChannel: state.remoteID, bytesToAdd: grant)))
    }

    // MARK: Inbound

    func handleConnection(_ message: SSHMessage) throws {
        switch message {
        case .globalRequest(let request):
            // No global request is supported (no forwarding); keepalives get their failure reply.
            if request.wantReply { self.send(.requestFailure) }
        case .requestSuccess, .requestFailure:
            break
        case .channelOpen(let open):
            try self.peerOpenedChannel(open)
        case .channelOpenConfirmation(let confirmation):
            guard let state = self.channels[confirmation.recipientChannel], state.phase == .opening else {
                throw SSHError(.protocolError, "confirmation for unknown channel \(confirmation.recipientChannel)")
            }
            state.phase = .open
            state.remoteID = confirmation.senderChannel
            state.sendWindow = UInt64(confirmation.initialWindowSize)
            state.remoteMaximumPacket = Int(max(1, min(confirmation.maximumPacketSize, 1 << 20)))
            self.channels[confirmation.recipientChannel] = state
            self.delegate?.engine(self, channelOpened: confirmation.recipientChannel)
        case .channelOpenFailure(let failure):
            guard let state = self.channels[failure.recipientChannel], state.phase == .opening else {
                throw SSHError(.protocolError, "open failure for unknown channel \(failure.recipientChannel)")
            }
            self.channels[failure.recipientChannel] = nil
            self.delegate?.engine(
                self,
                channelOpenFailed: failure.recipientChannel,
                reason: failure.reason,
                description: failure.description
            )
        case .channelWindowAdjust(let adjust):
            let state = try self.openChannel(adjust.recipientChannel)
            state.sendWindow += UInt64(adjust.bytesToAdd)
            guard state.sendWindow <= UInt64(UInt32.max) else {
                throw SSHError(.protocolError, "channel window grew past 2^32-1")
            }
            self.channels[adjust.recipientChannel] = state
        case .channelData(let data):
            try self.receivedData(channel: data.recipientChannel, data: data.data, extendedType: nil)
        case .channelExtendedData(let data):
            try self.receivedData(channel: data.recipientChannel, data: data.data, extendedType: data.dataTypeCode)
        case .channelEOF(let eof):
            let state = try self.openChannel(eof.recipientChannel)
            state.eofReceived = true
            self.channels[eof.recipientChannel] = state
            self.delegate?.engine(self, channelReceivedEOF: eof.recipientChannel)
        case .channelClose(let close):
            let state = try self.openChannel(close.recipientChannel)
            guard !state.closeReceived else { throw SSHError(.protocolError, "second CHANNEL_CLOSE") }
            state.closeReceived = true
            if !state.closeSent {
                // RFC 4254 §5.3: answer with CLOSE; anything still queued can no longer be delivered.
                state.outbound.removeAll()
                state.outboundBytes = 0
                state.outbound.append(.close)
                state.closeSent = true
            }
            self.channels[close.recipientChannel] = state
            if state.outbound.isEmpty { self.releaseChannel(close.recipientChannel) }
        case .channelRequest(let request):
            try self.peerSentChannelRequest(request)
        case .channelSuccess(let reply):
            try self.receivedReply(channel: reply.recipientChannel, success: true)
        case .channelFailure(let reply):
            try self.receivedReply(channel: reply.recipientChannel, success: false)
        default:
            throw SSHError(.protocolError, "unexpected \(message.name)")
        }
    }

    private func openChannel(_ id: UInt32) throws -> ChannelState {
        guard let state = self.channels[id], state.phase == .open else {
            throw SSHError(.protocolError, "message for unknown channel \(id)")
        }
        return state
    }

    private func peerOpenedChannel(_ open: SSHMessage.ChannelOpen) throws {
        func refuse(_ reason: UInt32, _ description: String) {
            self.send(
                .channelOpenFailure(
                    .init(recipientChannel: open.senderChannel, reason: reason, description: description)
                )
            )
        }
        guard open.type == "session", self.configuration.role == .server else {
            return refuse(SSHChannelOpenFailureReason.unknownChannelType, "unsupported channel type")
        }
        guard let id = try? self.allocateChannelID() else {
            return refuse(SSHChannelOpenFailureReason.resourceShortage, "too many channels")
        }
        let limits = self.configuration.limits
        let state = ChannelState(localID: id, phase: .open, type: open.type, receiveWindow: limits.channelWindowSize)
        state.remoteID = open.senderChannel
        state.sendWindow = UInt64(open.initialWindowSize)
        state.remoteMaximumPacket = Int(max(1, min(open.maximumPacketSize, 1 << 20)))
        self.channels[id] = state
        guard self.delegate?.engine(self, shouldAcceptChannel: id, type: open.type) == true else {
            self.channels[id] = nil
            return refuse(SSHChannelOpenFailureReason.administrativelyProhibited, "channel refused")
        }
        self.send(
            .channelOpenConfirmation(
                .init(
                    recipientChannel: open.senderChannel,
                    senderChannel: id,
                    initialWindowSize: limits.channelWindowSize,
                    maximumPacketSize: limits.channelMaximumPacketSize
                )
            )
        )
    }

    private func receivedData(channel id: UInt32, data: ByteBuffer, extendedType: UInt32?) throws {
        let state = try self.openChannel(id)
        let count = data.readableBytes
        guard count <= Int(self.configuration.limits.channelMaximumPacketSize) else {
            throw SSHError(.protocolError, "channel data larger than the maximum packet size")
        }
        guard UInt32(count) <= state.receiveWindow else {
            throw SSHError(.protocolError, "peer sent more than the channel window")
        }
        guard !state.eofReceived else { throw SSHError(.protocolError, "channel data after EOF") }
        state.receiveWindow -= UInt32(count)
        state.unacknowledged += UInt32(count)
        self.channels[id] = state
        if state.closeSent { return }  // closing: the data has nowhere to go
        self.delegate?.engine(self, channel: id, received: data, extendedType: extendedType)
        self.replenishWindow(channel: id)
    }

    private func peerSentChannelRequest(_ request: SSHMessage.ChannelRequest) throws {
        let state = try self.openChannel(request.recipientChannel)
        let accepted =
            self.delegate?.engine(
                self,
                channel: request.recipientChannel,
                request: request.type,
                wantReply: request.wantReply
            )
            ?? false
        guard request.wantReply, !state.closeSent else { return }
        if accepted {
            self.send(.channelSuccess(.init(recipientChannel: state.remoteID)))
        } else {
            self.send(.channelFailure(.init(recipientChannel: state.remoteID)))
        }
    }

    private func receivedReply(channel id: UInt32, success: Bool) throws {
        let state = try self.openChannel(id)
        guard state.pendingReplies > 0 else { throw SSHError(.protocolError, "reply to no channel request") }
        state.pendingReplies -= 1
        self.channels[id] = state
        self.delegate?.engine(self, channel: id, requestSucceeded: success)
    }
}

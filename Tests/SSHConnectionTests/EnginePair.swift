import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol

/// Records what an engine reports and answers its questions from fixed settings.
final class RecordingDelegate: SSHConnectionEngineDelegate {
    var acceptHostKey = true
    var passwords: [String: String] = [:]
    var authorizedKeys: [SSHPublicKey] = []
    var hostKeysSeen: [SSHPublicKey] = []
    var authenticatedAs: String?
    var authRequests: [String] = []
    var received: [UInt32: ByteBuffer] = [:]
    var eofs: Set<UInt32> = []
    var closed: Set<UInt32> = []
    var opened: Set<UInt32> = []
    var requests: [(UInt32, SSHMessage.ChannelRequest.RequestType)] = []
    var replies: [(UInt32, Bool)] = []
    var echo = false
    var banners: [String] = []
    var disconnects: [(UInt32, String)] = []

    func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey) {
        self.hostKeysSeen.append(key)
        try? engine.completeHostKeyVerification(accepted: self.acceptHostKey)
    }

    func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest) {
        self.authRequests.append(request.methodName)
        switch request {
        case .password(let user, let password, _):
            try? engine.completeAuthentication(self.passwords[user] == password ? .success : .failure)
        case .publicKey(_, let key, _):
            try? engine.completeAuthentication(self.authorizedKeys.contains(key) ? .success : .failure)
        }
    }

    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) { self.authenticatedAs = username }
    func engine(_ engine: SSHConnectionEngine, receivedBanner message: String) { self.banners.append(message) }
    func engine(_ engine: SSHConnectionEngine, shouldAcceptChannel channel: UInt32, type: String) -> Bool { true }
    func engine(_ engine: SSHConnectionEngine, channelOpened channel: UInt32) { self.opened.insert(channel) }
    func engine(
        _ engine: SSHConnectionEngine,
        channel: UInt32,
        request: SSHMessage.ChannelRequest.RequestType,
        wantReply: Bool
    ) -> Bool {
        self.requests.append((channel, request))
        if case .subsystem(let name) = request { return name == "echo" }
        return false
    }
    func engine(_ engine: SSHConnectionEngine, channel: UInt32, requestSucceeded: Bool) {
        self.replies.append((channel, requestSucceeded))
    }
    func engine(_ engine: SSHConnectionEngine, channel: UInt32, received data: ByteBuffer, extendedType: UInt32?) {
        if self.echo {
            engine.write(data, channel: channel)
        }
        var data = data
        self.received[channel, default: ByteBuffer()].writeBuffer(&data)
    }
    func engine(_ engine: SSHConnectionEngine, channelReceivedEOF channel: UInt32) {
        self.eofs.insert(channel)
        if self.echo {
            engine.sendEOF(channel: channel)
            engine.close(channel: channel)
        }
    }
    func engine(_ engine: SSHConnectionEngine, channelClosed channel: UInt32) { self.closed.insert(channel) }
    func engine(_ engine: SSHConnectionEngine, peerDisconnected reason: UInt32, description: String) {
        self.disconnects.append((reason, description))
    }
}

/// A client and a server engine wired back to back in memory.
final class EnginePair {
    let client: SSHConnectionEngine
    let server: SSHConnectionEngine
    let clientDelegate = RecordingDelegate()
    let serverDelegate = RecordingDelegate()
    var clientError: (any Error)?
    var serverError: (any Error)?
    /// Bytes moved each way, to check that traffic flowed.
    var bytesToServer = 0
    var bytesToClient = 0

    init(
        serverConfiguration: SSHConnectionConfiguration,
        clientConfiguration: SSHConnectionConfiguration = SSHConnectionConfiguration(role: .client),
        username: String = "alice",
        methods: [SSHClientAuthenticationMethod],
        now: @escaping () -> NIODeadline = { .now() }
    ) throws {
        self.server = try SSHConnectionEngine(configuration: serverConfiguration, now: now)
        self.client = try SSHConnectionEngine(
            configuration: clientConfiguration,
            clientUsername: username,
            clientAuthentication: methods,
            now: now
        )
        self.server.delegate = self.serverDelegate
        self.client.delegate = self.clientDelegate
    }

    /// Moves bytes both ways until neither side has anything to say. `chunk` splits deliveries to
    /// exercise partial packets.
    func run(chunk: Int = .max, maxRounds: Int = 100_000, until stop: () -> Bool = { false }) {
        for _ in 0..<maxRounds {
            if stop() { return }
            var moved = false
            self.client.drainChannels()
            self.server.drainChannels()
            if let out = self.client.takeOutput() {
                moved = true
                self.bytesToServer += out.readableBytes
                self.deliver(out, to: self.server, chunk: chunk, error: &self.serverError)
            }
            if let out = self.server.takeOutput() {
                moved = true
                self.bytesToClient += out.readableBytes
                self.deliver(out, to: self.client, chunk: chunk, error: &self.clientError)
            }
            if !moved { return }
        }
    }

    private func deliver(_ bytes: ByteBuffer, to engine: SSHConnectionEngine, chunk: Int, error: inout (any Error)?) {
        var bytes = bytes
        while bytes.readableBytes > 0 {
            var piece = bytes.readSlice(length: min(chunk, bytes.readableBytes))!
            do {
                try engine.receive(&piece)
            } catch let e {
                if error == nil { error = e }
                return
            }
        }
    }
}

import NIOCore
import SSHKeys
import SSHProtocol
import Testing

@testable import SSHConnection

/// Bad input from the network gets a clean disconnect or a failure reply, never a crash or a hang.
@Suite struct EngineRobustnessTests {
    static let hostKey = EngineHandshakeTests.hostKey

    private func authenticatedPair(limits: SSHLimits = SSHLimits()) throws -> EnginePair {
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, limits: limits, hostKeys: [Self.hostKey]),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        try #require(pair.clientDelegate.authenticatedAs == "alice")
        return pair
    }

    private func server() throws -> SSHConnectionEngine {
        let server = try SSHConnectionEngine(
            configuration: SSHConnectionConfiguration(role: .server, hostKeys: [Self.hostKey])
        )
        _ = server.takeOutput()
        return server
    }

    @Test func garbageInsteadOfVersionLine() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        #expect(throws: SSHError.self) { try server.receive(&bytes) }
        #expect(server.isClosed)
    }

    @Test func versionLineTooLong() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "SSH-2.0-" + String(repeating: "x", count: 300))
        #expect(throws: SSHError.self) { try server.receive(&bytes) }
    }

    @Test func sshVersionOneIsRefused() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "SSH-1.5-old\r\n")
        let error = try #require(throws: SSHError.self) { try server.receive(&bytes) }
        #expect(error.code == .badVersion)
    }

    @Test func clientAcceptsLinesBeforeVersion() throws {
        let client = try SSHConnectionEngine(configuration: SSHConnectionConfiguration(role: .client))
        var bytes = ByteBuffer(string: "hello there\r\nanother line\nSSH-2.0-Test\r\n")
        try client.receive(&bytes)
        #expect(client.peerIdentification == "SSH-2.0-Test")
    }

    @Test func oversizedPacketLength() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "SSH-2.0-Test\r\n")
        bytes.writeInteger(UInt32(0x7FFF_FFFF))
        bytes.writeBytes([UInt8](repeating: 0, count: 64))
        let error = try #require(throws: SSHError.self) { try server.receive(&bytes) }
        #expect(error.code == .badPacket)
        #expect(server.isClosed)
        #expect(server.takeOutput() != nil)  // the DISCONNECT
    }

    @Test func garbageAfterVersionLine() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "SSH-2.0-Test\r\n")
        var generator = SystemRandomNumberGenerator()
        bytes.writeBytes((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        #expect(throws: SSHError.self) { try server.receive(&bytes) }
        #expect(server.isClosed)
    }

    @Test func firstPacketMustBeParseableKexInit() throws {
        let server = try self.server()
        var bytes = ByteBuffer(string: "SSH-2.0-Test\r\n")
        // A plaintext packet holding a truncated KEXINIT.
        var payload = ByteBuffer()
        payload.writeInteger(SSHMessageNumber.kexInit)
        payload.writeBytes([UInt8](repeating: 1, count: 10))
        let padding = 8 - (5 + payload.readableBytes) % 8 + 8
        bytes.writeInteger(UInt32(1 + payload.readableBytes + padding))
        bytes.writeInteger(UInt8(padding))
        bytes.writeBuffer(&payload)
        bytes.writeBytes([UInt8](repeating: 0, count: padding))
        let error = try #require(throws: SSHError.self) { try server.receive(&bytes) }
        #expect(error.code == .protocolError)
    }

    @Test func handshakeDripFedByteByByte() throws {
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, hostKeys: [Self.hostKey]),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run(chunk: 1)
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func unknownMessageGetsUnimplemented() throws {
        let pair = try self.authenticatedPair()
        pair.client.send(.unknown(number: 200, payload: ByteBuffer(bytes: [1, 2, 3])))
        pair.run()
        #expect(pair.serverError == nil)
        #expect(pair.clientError == nil)
        #expect(!pair.server.isClosed)
        // The connection still works afterwards.
        let channel = try pair.client.openSessionChannel()
        pair.run()
        #expect(pair.clientDelegate.opened == [channel])
    }

    @Test func unknownChannelRequestWithPayloadIsRefusedNotFatal() throws {
        let pair = try self.authenticatedPair()
        let channel = try pair.client.openSessionChannel()
        pair.run()
        var payload = ByteBuffer()
        payload.writeSSHString("some payload")
        payload.writeInteger(UInt32(42))
        pair.client.sendRequest(.other(name: "x11-req", payload: payload), wantReply: true, channel: channel)
        pair.client.sendRequest(
            .pty(.init(term: "xterm", columns: 80, rows: 24, width: 0, height: 0, modes: ByteBuffer())),
            wantReply: true,
            channel: channel
        )
        pair.client.sendRequest(.shell, wantReply: true, channel: channel)
        pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
        pair.run()
        #expect(pair.serverError == nil)
        #expect(pair.clientDelegate.replies.map(\.1) == [false, false, false, true])
    }

    @Test func unknownGlobalRequestGetsFailure() throws {
        let pair = try self.authenticatedPair()
        pair.client.send(.globalRequest(.init(name: "keepalive@openssh.com", wantReply: true)))
        pair.run()
        #expect(pair.serverError == nil)
        #expect(pair.clientError == nil)
    }

    @Test func dataBeyondTheWindowIsAProtocolError() throws {
        var limits = SSHLimits()
        limits.channelWindowSize = 1000
        let pair = try self.authenticatedPair(limits: limits)
        let channel = try pair.client.openSessionChannel()
        pair.run()
        // Bypass the client's own flow control.
        let remote = pair.client.channels[channel]!.remoteID
        pair.client.send(.channelData(.init(recipientChannel: remote, data: ByteBuffer(repeating: 1, count: 2000))))
        pair.run()
        #expect((pair.serverError as? SSHError)?.code == .protocolError)
        #expect(pair.server.isClosed)
    }

    @Test func messageForUnknownChannelIsAProtocolError() throws {
        let pair = try self.authenticatedPair()
        pair.client.send(.channelData(.init(recipientChannel: 77, data: ByteBuffer(string: "x"))))
        pair.run()
        #expect((pair.serverError as? SSHError)?.code == .protocolError)
    }

    @Test func channelLimit() throws {
        var limits = SSHLimits()
        limits.maximumChannels = 2
        let pair = try self.authenticatedPair(limits: limits)
        for _ in 0..<2 { _ = try pair.client.openSessionChannel() }
        pair.run()
        // The client's own limit stops a third; force one through the wire.
        pair.client.send(
            .channelOpen(.init(type: "session", senderChannel: 99, initialWindowSize: 1000, maximumPacketSize: 1000))
        )
        pair.run()
        #expect(pair.serverError == nil)
        #expect(pair.server.openChannels.count == 2)
    }

    @Test func channelBeforeAuthenticationIsRefused() throws {
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, hostKeys: [Self.hostKey]),
            methods: [.password("wrong")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        // Stop as soon as the keys are in place, before any login, and open a channel anyway.
        pair.run(until: { pair.client.isEncrypted && pair.server.isEncrypted })
        pair.client.send(
            .channelOpen(.init(type: "session", senderChannel: 1, initialWindowSize: 10, maximumPacketSize: 10))
        )
        pair.run()
        #expect((pair.serverError as? SSHError)?.code == .protocolError)
    }

    @Test func authenticationAttemptsAreCapped() throws {
        var limits = SSHLimits()
        limits.maximumAuthenticationAttempts = 3
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, limits: limits, hostKeys: [Self.hostKey]),
            methods: (0..<5).map { .password("guess\($0)") }
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect((pair.serverError as? SSHError)?.code == .authenticationFailed)
        #expect(pair.server.isClosed)
        #expect(pair.serverDelegate.authRequests.count == 3)
    }

    @Test func rejectedHostKeyStopsTheClient() throws {
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, hostKeys: [Self.hostKey]),
            methods: [.password("secret")]
        )
        pair.clientDelegate.acceptHostKey = false
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.client.isClosed)
        #expect(pair.serverDelegate.authRequests.isEmpty)
        #expect(pair.serverDelegate.disconnects.first?.0 == SSHDisconnectReason.hostKeyNotVerifiable)
    }

    @Test(arguments: [false, true])
    func sha1RSAUserSignaturesAreRefusedUnlessEnabled(serverAllowsSHA1: Bool) throws {
        let rsa = try SSHPrivateKey.generate(.rsa, rsaBits: 2048)
        let serverAlgorithms = SSHAlgorithms(allowSHA1RSASignatures: serverAllowsSHA1)
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(
                role: .server,
                algorithms: serverAlgorithms,
                hostKeys: [Self.hostKey]
            ),
            clientConfiguration: SSHConnectionConfiguration(
                role: .client,
                algorithms: SSHAlgorithms(allowSHA1RSASignatures: true)
            ),
            methods: [.publicKey(rsa)]
        )
        pair.serverDelegate.authorizedKeys = [rsa.publicKey]
        pair.client.forcedUserSignatureAlgorithm = "ssh-rsa"  // an old client that only knows SHA-1
        pair.run()
        #expect((pair.serverDelegate.authenticatedAs == "alice") == serverAllowsSHA1)
        if !serverAllowsSHA1 {
            #expect(pair.serverDelegate.authRequests.isEmpty)  // refused before the policy is even asked
        }
    }

    @Test func rekeyingHappensAndDataSurvives() throws {
        var limits = SSHLimits()
        limits.rekeyBytes = 32 * 1024
        // Keys are renewed between packets, so keep packets well below the re-key budget.
        limits.channelMaximumPacketSize = 8 * 1024
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, limits: limits, hostKeys: [Self.hostKey]),
            clientConfiguration: SSHConnectionConfiguration(role: .client, limits: limits),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        pair.serverDelegate.echo = true
        let channel = try pair.client.openSessionChannel()
        pair.run()
        pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
        var sent = ByteBuffer()
        for i in 0..<(1 << 20) { sent.writeInteger(UInt8(truncatingIfNeeded: i &* 31)) }
        pair.client.write(sent, channel: channel)
        pair.client.sendEOF(channel: channel)
        pair.run(chunk: 5000)
        #expect(pair.clientDelegate.received[channel] == sent)
        #expect(pair.server.keyExchangeCount > 30)  // 1 MiB each way, 32 KiB per key
        #expect(pair.client.keyExchangeCount == pair.server.keyExchangeCount)
    }

    @Test func rekeyingByTime() throws {
        final class Clock: @unchecked Sendable { var now = NIODeadline.uptimeNanoseconds(1_000_000_000) }
        let clock = Clock()
        var limits = SSHLimits()
        limits.rekeySeconds = 60
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, limits: limits, hostKeys: [Self.hostKey]),
            methods: [.password("secret")],
            now: { clock.now }
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        pair.server.checkRekeyBudget()
        pair.run()
        #expect(pair.server.keyExchangeCount == 1)  // not yet
        clock.now = clock.now + .seconds(61)
        pair.server.checkRekeyBudget()
        pair.run()
        #expect(pair.server.keyExchangeCount == 2)
        #expect(pair.client.keyExchangeCount == 2)
        #expect(pair.serverError == nil && pair.clientError == nil)
    }

    @Test func clientInitiatedRekeyWhileDataIsQueued() throws {
        let pair = try self.authenticatedPair()
        pair.serverDelegate.echo = true
        let channel = try pair.client.openSessionChannel()
        pair.run()
        pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
        pair.client.initiateKeyExchange()
        pair.client.write(ByteBuffer(string: "queued during the key exchange"), channel: channel)
        pair.server.initiateKeyExchange()  // both sides at once
        pair.client.sendEOF(channel: channel)
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.serverError == nil)
        #expect(pair.clientDelegate.received[channel] == ByteBuffer(string: "queued during the key exchange"))
        #expect(pair.server.keyExchangeCount == 2)
    }
}

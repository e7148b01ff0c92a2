import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol
import SSHTransport
import Testing

@Suite struct EngineHandshakeTests {
    static let hostKey = try! SSHPrivateKey.generate(.ed25519)

    static func serverConfiguration(
        hostKeys: [SSHPrivateKey] = [hostKey],
        algorithms: SSHAlgorithms = SSHAlgorithms(),
        limits: SSHLimits = SSHLimits()
    ) -> SSHConnectionConfiguration {
        SSHConnectionConfiguration(role: .server, algorithms: algorithms, limits: limits, hostKeys: hostKeys)
    }

    @Test func passwordLoginAndStrictKex() throws {
        let pair = try EnginePair(serverConfiguration: Self.serverConfiguration(), methods: [.password("secret")])
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.serverError == nil)
        #expect(pair.serverDelegate.authenticatedAs == "alice")
        #expect(pair.clientDelegate.authenticatedAs == "alice")
        #expect(pair.clientDelegate.hostKeysSeen == [Self.hostKey.publicKey])
        #expect(pair.server.negotiated?.cipherClientToServer == "aes128-gcm@openssh.com")
    }

    @Test func wrongPasswordIsRefused() throws {
        let pair = try EnginePair(serverConfiguration: Self.serverConfiguration(), methods: [.password("nope")])
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.serverDelegate.authenticatedAs == nil)
        #expect((pair.clientError as? SSHError)?.code == .authenticationFailed)
    }

    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa])
    func publicKeyLogin(type: SSHKeyType) throws {
        let userKey = try SSHPrivateKey.generate(type, rsaBits: 2048)
        let pair = try EnginePair(serverConfiguration: Self.serverConfiguration(), methods: [.publicKey(userKey)])
        pair.serverDelegate.authorizedKeys = [userKey.publicKey]
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.serverDelegate.authenticatedAs == "alice")
    }

    @Test(arguments: [SSHKeyType.ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa])
    func hostKeyTypes(type: SSHKeyType) throws {
        let hostKey = try SSHPrivateKey.generate(type, rsaBits: 2048)
        let pair = try EnginePair(
            serverConfiguration: Self.serverConfiguration(hostKeys: [hostKey]),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.clientDelegate.hostKeysSeen == [hostKey.publicKey])
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test(arguments: SSHKeyExchangeMethods.supported)
    func everyKeyExchange(kex: String) throws {
        let algorithms = SSHAlgorithms(keyExchange: [kex])
        let pair = try EnginePair(
            serverConfiguration: Self.serverConfiguration(algorithms: algorithms),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.clientError == nil)
        #expect(pair.server.negotiated?.keyExchange == kex)
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    /// Reads of any size, splitting packets anywhere: small pieces, pieces larger than the engine adds at a time
    /// to finish a split packet, and reads holding many packets and a part of the next.
    @Test(arguments: [4095, 10_000, 65_536, 100_003, 300_001, 1 << 20])
    func channelDataSurvivesAnySplitOfTheStream(chunk: Int) throws {
        let pair = try EnginePair(
            serverConfiguration: Self.serverConfiguration(
                algorithms: SSHAlgorithms(ciphers: ["aes128-gcm@openssh.com"])
            ),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.serverDelegate.echo = true
        pair.run(chunk: chunk)
        let channel = try pair.client.openSessionChannel()
        pair.run(chunk: chunk)
        pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
        var sent = ByteBuffer()
        for i in 0..<(1536 * 1024) { sent.writeInteger(UInt8(truncatingIfNeeded: i &* 13 &+ i >> 9)) }
        pair.client.write(sent, channel: channel)
        pair.client.sendEOF(channel: channel)
        pair.run(chunk: chunk)
        #expect(pair.clientError == nil)
        #expect(pair.serverError == nil)
        #expect(pair.clientDelegate.received[channel] == sent)
        #expect(pair.clientDelegate.closed == [channel])
    }

    @Test(arguments: SSHTransportAlgorithms.supportedCiphers)
    func everyCipherWithDataAndRekey(cipher: String) throws {
        for mac in SSHTransportAlgorithms.isAEAD(cipher: cipher)
            ? ["hmac-sha2-256"] : SSHTransportAlgorithms.supportedMACs
        {
            let algorithms = SSHAlgorithms(ciphers: [cipher], macs: [mac])
            var limits = SSHLimits()
            limits.rekeyBytes = 64 * 1024
            let pair = try EnginePair(
                serverConfiguration: Self.serverConfiguration(algorithms: algorithms, limits: limits),
                methods: [.password("secret")]
            )
            pair.serverDelegate.passwords = ["alice": "secret"]
            pair.serverDelegate.echo = true
            pair.run(chunk: 777)
            let channel = try pair.client.openSessionChannel()
            pair.run()
            #expect(pair.clientDelegate.opened == [channel])
            pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
            var sent = ByteBuffer()
            for i in 0..<(300 * 1024) { sent.writeInteger(UInt8(truncatingIfNeeded: i &* 7)) }
            pair.client.write(sent, channel: channel)
            pair.client.sendEOF(channel: channel)
            pair.run(chunk: 10_000)
            #expect(pair.clientError == nil, "\(cipher) \(mac)")
            #expect(pair.serverError == nil, "\(cipher) \(mac)")
            #expect(pair.clientDelegate.replies.map(\.1) == [true])
            #expect(pair.serverDelegate.received.values.first?.readableBytes == sent.readableBytes, "server got")
            #expect(pair.clientDelegate.received[channel] == sent, "\(cipher) \(mac)")
            #expect(pair.clientDelegate.closed == [channel])
        }
    }
}

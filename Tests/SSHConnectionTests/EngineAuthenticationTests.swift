import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol
import Testing

/// Asks for a password first, then a key: the two-step login of RFC 4252 §5.1 partial success.
private final class TwoFactorDelegate: SSHConnectionEngineDelegate {
    let key: SSHPublicKey
    var passwordPassed = false
    var authenticatedAs: String?
    var steps: [String] = []

    init(key: SSHPublicKey) { self.key = key }

    func engine(_ engine: SSHConnectionEngine, authenticate request: SSHAuthenticationRequest) {
        self.steps.append(request.methodName)
        switch request {
        case .password(_, let password, _):
            self.passwordPassed = password == "secret"
            try? engine.completeAuthentication(
                self.passwordPassed ? .partialSuccess(remainingMethods: ["publickey"]) : .failure
            )
        case .publicKey(_, let key, _):
            try? engine.completeAuthentication(key == self.key && self.passwordPassed ? .success : .failure)
        }
    }

    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) { self.authenticatedAs = username }
}

@Suite struct EngineAuthenticationTests {
    @Test func partialSuccessThenKey() throws {
        let userKey = try SSHPrivateKey.generate(.ed25519)
        var configuration = SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
        configuration.authenticationMethods = ["password", "publickey"]
        let pair = try EnginePair(
            serverConfiguration: configuration,
            methods: [.password("secret"), .publicKey(userKey)]
        )
        let delegate = TwoFactorDelegate(key: userKey.publicKey)
        pair.server.delegate = delegate
        pair.run()
        #expect(delegate.steps == ["password", "publickey"])
        #expect(delegate.authenticatedAs == "alice")
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func bannerReachesTheClient() throws {
        var configuration = SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
        configuration.banner = "Authorized use only.\r\n"
        let pair = try EnginePair(serverConfiguration: configuration, methods: [.password("secret")])
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.clientDelegate.banners == ["Authorized use only.\r\n"])
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func keyboardInteractiveWhenPasswordIsNotOffered() throws {
        var configuration = SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
        configuration.authenticationMethods = ["keyboard-interactive"]
        let pair = try EnginePair(serverConfiguration: configuration, methods: [.password("secret")])
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["keyboard-interactive"])
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func methodsTheServerDoesNotOfferAreNotTried() throws {
        let userKey = try SSHPrivateKey.generate(.ed25519)
        var configuration = SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
        configuration.authenticationMethods = ["publickey"]
        let pair = try EnginePair(
            serverConfiguration: configuration,
            methods: [.password("secret"), .publicKey(userKey)]
        )
        pair.serverDelegate.authorizedKeys = [userKey.publicKey]
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["publickey"])
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func manyChannelsAtOnce() throws {
        let pair = try EnginePair(
            serverConfiguration: SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey]),
            methods: [.password("secret")]
        )
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.serverDelegate.echo = true
        pair.run()
        let channels = try (0..<10).map { _ in try pair.client.openSessionChannel() }
        pair.run()
        #expect(pair.clientDelegate.opened == Set(channels))
        for channel in channels {
            pair.client.sendRequest(.subsystem(name: "echo"), wantReply: true, channel: channel)
            pair.client.write(
                ByteBuffer(string: String(repeating: "channel \(channel) ", count: 5000)),
                channel: channel
            )
            pair.client.sendEOF(channel: channel)
        }
        pair.run(chunk: 3000)
        for channel in channels {
            #expect(
                pair.clientDelegate.received[channel]
                    == ByteBuffer(string: String(repeating: "channel \(channel) ", count: 5000))
            )
        }
        #expect(pair.clientDelegate.closed == Set(channels))
        #expect(pair.client.openChannels.isEmpty)
        #expect(pair.server.openChannels.isEmpty)
    }
}

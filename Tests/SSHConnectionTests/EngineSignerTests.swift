import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol
import Testing

/// Signs with an in-memory key, as an agent would, but behind the signer protocol.
private struct InMemorySigner: SSHUserAuthenticationSigner {
    let key: SSHPrivateKey
    var publicKey: SSHPublicKey { self.key.publicKey }

    func sign(_ data: [UInt8], algorithm: String) async throws -> SSHSignature {
        try self.key.signature(for: ByteBuffer(bytes: data), algorithm: algorithm)
    }
}

/// Always fails, like an agent that refuses or a token that was unplugged.
private struct FailingSigner: SSHUserAuthenticationSigner {
    struct Refused: Error {}
    let publicKey: SSHPublicKey

    func sign(_ data: [UInt8], algorithm: String) async throws -> SSHSignature {
        throw Refused()
    }
}

/// A client delegate that keeps signing requests until the test answers them.
private final class SigningDelegate: SSHConnectionEngineDelegate {
    var pending: [SSHUserAuthenticationSigningRequest] = []
    var authenticatedAs: String?

    func engine(_ engine: SSHConnectionEngine, verifyHostKey key: SSHPublicKey) {
        try? engine.completeHostKeyVerification(accepted: true)
    }

    func engine(_ engine: SSHConnectionEngine, sign request: SSHUserAuthenticationSigningRequest) {
        self.pending.append(request)
    }

    func engine(_ engine: SSHConnectionEngine, authenticatedAs username: String) { self.authenticatedAs = username }

    /// Signs every pending request with its signer and hands the results (nil on failure) to the engine.
    func answerAll(_ engine: SSHConnectionEngine) async throws {
        let requests = self.pending
        self.pending.removeAll()
        for request in requests {
            let signature = try? await request.signer.sign(request.data, algorithm: request.algorithm)
            try engine.completeSigning(requestID: request.id, signature: signature)
        }
    }
}

@Suite struct EngineSignerTests {
    private func serverConfiguration() -> SSHConnectionConfiguration {
        SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
    }

    @Test func signerLogsInAfterAnAsynchronousSignature() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key))]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.serverDelegate.authorizedKeys = [key.publicKey]
        pair.run()
        #expect(delegate.authenticatedAs == nil)
        #expect(delegate.pending.count == 1)
        #expect(delegate.pending.first?.algorithm == "ssh-ed25519")
        #expect(pair.serverDelegate.authRequests.isEmpty, "nothing is sent before the signature")
        try await delegate.answerAll(pair.client)
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["publickey"])
        #expect(delegate.authenticatedAs == "alice")
        #expect(pair.clientError == nil)
    }

    @Test func rsaSignersAreAskedForSHA2Signatures() async throws {
        let key = try SSHPrivateKey.generate(.rsa, rsaBits: 2048)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key))]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.serverDelegate.authorizedKeys = [key.publicKey]
        pair.run()
        #expect(delegate.pending.first?.algorithm == "rsa-sha2-512")
        try await delegate.answerAll(pair.client)
        pair.run()
        #expect(delegate.authenticatedAs == "alice")
    }

    @Test func aFailingSignerMovesOnToTheNextMethod() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(FailingSigner(publicKey: key.publicKey)), .password("secret")]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.serverDelegate.authorizedKeys = [key.publicKey]
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        try await delegate.answerAll(pair.client)
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["password"])
        #expect(delegate.authenticatedAs == "alice")
    }

    @Test func aSignatureByAnotherKeyIsNotSent() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let other = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key)), .publicKey(other)]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.serverDelegate.authorizedKeys = [other.publicKey]
        pair.run()
        let request = try #require(delegate.pending.first)
        delegate.pending.removeAll()
        let forged = try other.signature(for: ByteBuffer(bytes: request.data), algorithm: "ssh-ed25519")
        try pair.client.completeSigning(requestID: request.id, signature: forged)
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["publickey"])
        #expect(delegate.authenticatedAs == "alice")
    }

    @Test func theDefaultDelegateRefusesToSign() throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key)), .password("secret")]
        )
        pair.serverDelegate.authorizedKeys = [key.publicKey]
        pair.serverDelegate.passwords = ["alice": "secret"]
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["password"])
        #expect(pair.clientDelegate.authenticatedAs == "alice")
    }

    @Test func theLastSignerFailingEndsAuthentication() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(FailingSigner(publicKey: key.publicKey))]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.run()
        let request = try #require(delegate.pending.first)
        #expect(throws: SSHError.self) {
            try pair.client.completeSigning(requestID: request.id, signature: nil)
        }
        #expect(pair.client.isClosed)
        pair.run()
        #expect(pair.serverDelegate.authRequests.isEmpty)
        #expect(pair.serverDelegate.disconnects.isEmpty == false)
    }

    @Test func theLastSignerFailingAtOnceEndsAuthentication() throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key))]
        )
        pair.run()
        let error = try #require(pair.clientError as? SSHError)
        #expect(error.code == .authenticationFailed)
        #expect(pair.client.isClosed)
    }

    @Test func unexpectedCompletionsAreIgnored() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let pair = try EnginePair(
            serverConfiguration: self.serverConfiguration(),
            methods: [.signer(InMemorySigner(key: key))]
        )
        let delegate = SigningDelegate()
        pair.client.delegate = delegate
        pair.serverDelegate.authorizedKeys = [key.publicKey]
        // Before any request exists.
        try pair.client.completeSigning(requestID: 1, signature: nil)
        pair.run()
        let request = try #require(delegate.pending.first)
        delegate.pending.removeAll()
        // A completion naming another request.
        try pair.client.completeSigning(requestID: request.id &+ 7, signature: nil)
        pair.run()
        #expect(pair.serverDelegate.authRequests.isEmpty)
        #expect(!pair.client.isClosed)
        let signature = try await request.signer.sign(request.data, algorithm: request.algorithm)
        try pair.client.completeSigning(requestID: request.id, signature: signature)
        // The same completion again, and a failure after the fact.
        try pair.client.completeSigning(requestID: request.id, signature: signature)
        try pair.client.completeSigning(requestID: request.id, signature: nil)
        pair.run()
        #expect(pair.serverDelegate.authRequests == ["publickey"])
        #expect(delegate.authenticatedAs == "alice")
        #expect(pair.clientError == nil)
        try pair.client.completeSigning(requestID: request.id, signature: nil)
        #expect(!pair.client.isClosed)
    }
}

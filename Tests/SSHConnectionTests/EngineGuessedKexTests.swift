import NIOCore
import SSHConnection
import SSHKeys
import SSHProtocol
import SSHTransport
import Testing

/// RFC 4253 §7.1: a client may send its first key exchange packet right after KEXINIT, guessing the
/// algorithms. A wrong guess must be ignored, a right one used.
@Suite struct EngineGuessedKexTests {
    /// Drives a server engine with hand-made plaintext packets and returns the messages it answers with.
    private func exchange(clientKex: [String], guessed: (inout [SSHMessage]) throws -> Void) throws -> [SSHMessage] {
        let server = try SSHConnectionEngine(
            configuration: SSHConnectionConfiguration(role: .server, hostKeys: [EngineHandshakeTests.hostKey])
        )
        let framing = SSHPlaintextProtection()
        var messages: [SSHMessage] = [
            .kexInit(
                .init(
                    cookie: [UInt8](repeating: 7, count: 16),
                    keyExchangeAlgorithms: clientKex,
                    serverHostKeyAlgorithms: ["ssh-ed25519"],
                    encryptionAlgorithmsClientToServer: ["aes128-ctr"],
                    encryptionAlgorithmsServerToClient: ["aes128-ctr"],
                    macAlgorithmsClientToServer: ["hmac-sha2-256"],
                    macAlgorithmsServerToClient: ["hmac-sha2-256"],
                    firstKexPacketFollows: true
                )
            )
        ]
        try guessed(&messages)
        var input = ByteBuffer(string: "SSH-2.0-GuessingClient\r\n")
        for (sequence, message) in messages.enumerated() {
            var payload = ByteBuffer()
            payload.writeSSHMessage(message)
            try framing.seal(payload, sequenceNumber: UInt32(sequence), into: &input)
        }
        try server.receive(&input)
        var output = try #require(server.takeOutput())
        // Skip the identification line, then decode every plaintext packet.
        let newline = try #require(output.readableBytesView.firstIndex(of: UInt8(ascii: "\n")))
        output.moveReaderIndex(to: newline + 1)
        var replies: [SSHMessage] = []
        var sequence: UInt32 = 0
        while var payload = try framing.open(&output, sequenceNumber: sequence) {
            replies.append(try payload.readSSHMessage())
            sequence += 1
            if case .newKeys = replies.last { break }  // what follows is encrypted
        }
        return replies
    }

    @Test func wrongGuessIsIgnored() throws {
        // The server prefers curve25519-sha256; the client's first choice is nistp256, so its guess is wrong
        // and its first kex packet (garbage here) must be skipped.
        let method = try SSHKeyExchangeMethods.make("ecdh-sha2-nistp256")
        let replies = try self.exchange(clientKex: ["ecdh-sha2-nistp256", "curve25519-sha256"]) { messages in
            messages.append(.kexECDHInit(.init(clientPublicKey: [UInt8](repeating: 0xEE, count: 65))))
            messages.append(.kexECDHInit(.init(clientPublicKey: method.localPublicKey)))
        }
        #expect(replies.map(\.name) == ["KEXINIT", "KEX_ECDH_REPLY", "NEWKEYS"])
        guard case .kexECDHReply(let reply) = replies[1] else { return }
        #expect(reply.serverPublicKey.count == 65)  // a nistp256 point: the real packet was used
    }

    @Test func rightGuessIsUsed() throws {
        let method = try SSHKeyExchangeMethods.make("curve25519-sha256")
        let replies = try self.exchange(clientKex: ["curve25519-sha256"]) { messages in
            messages.append(.kexECDHInit(.init(clientPublicKey: method.localPublicKey)))
        }
        #expect(replies.map(\.name) == ["KEXINIT", "KEX_ECDH_REPLY", "NEWKEYS"])
    }
}

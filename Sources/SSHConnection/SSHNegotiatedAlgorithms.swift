import SSHProtocol
import SSHTransport

/// The algorithms chosen by one key exchange (RFC 4253 §7.1): for each list, the first of the client's
/// names that the server also offers.
public struct SSHNegotiatedAlgorithms: Sendable, Equatable {
    public var keyExchange: String
    public var hostKey: String
    public var cipherClientToServer: String
    public var cipherServerToClient: String
    /// nil when the cipher is an AEAD, whose tag replaces the MAC.
    public var macClientToServer: String?
    public var macServerToClient: String?

    /// Negotiates from the two KEXINIT messages.
    ///
    /// - Throws: ``SSHError`` `.keyExchangeFailed` naming the list without a common algorithm.
    public init(client: SSHMessage.KeyExchangeInit, server: SSHMessage.KeyExchangeInit) throws {
        func pick(_ c: [String], _ s: [String], _ what: String) throws -> String {
            guard let name = c.first(where: { s.contains($0) }) else {
                throw SSHError(
                    .keyExchangeFailed,
                    "no common \(what) algorithm (client offered \(c.joined(separator: ",")); server offered \(s.joined(separator: ",")))"
                )
            }
            return name
        }
        self.keyExchange = try pick(
            client.keyExchangeAlgorithms.filter { SSHKeyExchangeMethods.supported.contains($0) },
            server.keyExchangeAlgorithms,
            "key exchange"
        )
        self.hostKey = try pick(client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms, "host key")
        self.cipherClientToServer = try pick(
            client.encryptionAlgorithmsClientToServer,
            server.encryptionAlgorithmsClientToServer,
            "client-to-server cipher"
        )
        self.cipherServerToClient = try pick(
            client.encryptionAlgorithmsServerToClient,
            server.encryptionAlgorithmsServerToClient,
            "server-to-client cipher"
        )
        self.macClientToServer =
            SSHTransportAlgorithms.isAEAD(cipher: self.cipherClientToServer)
            ? nil
            : try pick(client.macAlgorithmsClientToServer, server.macAlgorithmsClientToServer, "client-to-server MAC")
        self.macServerToClient =
            SSHTransportAlgorithms.isAEAD(cipher: self.cipherServerToClient)
            ? nil
            : try pick(client.macAlgorithmsServerToClient, server.macAlgorithmsServerToClient, "server-to-client MAC")
        _ = try pick(
            client.compressionAlgorithmsClientToServer,
            server.compressionAlgorithmsClientToServer,
            "client-to-server compression"
        )
        _ = try pick(
            client.compressionAlgorithmsServerToClient,
            server.compressionAlgorithmsServerToClient,
            "server-to-client compression"
        )
    }

    /// Whether a guessed first kex packet (RFC 4253 §7.1 `first_kex_packet_follows`) was guessed right:
    /// both sides' first key exchange and host key algorithms agree.
    static func guessWasRight(client: SSHMessage.KeyExchangeInit, server: SSHMessage.KeyExchangeInit) -> Bool {
        client.keyExchangeAlgorithms.first == server.keyExchangeAlgorithms.first
            && client.serverHostKeyAlgorithms.first == server.serverHostKeyAlgorithms.first
    }
}

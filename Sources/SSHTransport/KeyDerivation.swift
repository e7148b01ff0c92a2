import NIOCore
import SSHProtocol

/// The exchange hash H of an ECDH key exchange (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3):
///
///     H = HASH(string V_C || string V_S || string I_C || string I_S || string K_S ||
///              string Q_C || string Q_S || mpint K)
///
/// - Parameters:
///   - clientVersion: V_C, the client's identification string without CR LF.
///   - serverVersion: V_S, likewise.
///   - clientKexInit: I_C, the payload of the client's SSH_MSG_KEXINIT, message number byte included.
///   - serverKexInit: I_S, likewise.
///   - hostKeyBlob: K_S, the server's public host key blob.
///   - clientPublic: Q_C, the client's ephemeral public key.
///   - serverPublic: Q_S, the server's ephemeral public key.
///   - sharedSecret: K as returned by ``SSHKeyExchangeMethod/sharedSecret(peerPublicKey:)``.
public func sshExchangeHash(
    method: any SSHKeyExchangeMethod,
    clientVersion: String,
    serverVersion: String,
    clientKexInit: ByteBuffer,
    serverKexInit: ByteBuffer,
    hostKeyBlob: ByteBuffer,
    clientPublic: [UInt8],
    serverPublic: [UInt8],
    sharedSecret: [UInt8]
) -> [UInt8] {
    var buffer = ByteBufferAllocator().buffer(
        capacity: 64 + clientVersion.utf8.count + serverVersion.utf8.count + clientKexInit.readableBytes
            + serverKexInit.readableBytes + hostKeyBlob.readableBytes + clientPublic.count + serverPublic.count
            + sharedSecret.count
    )
    buffer.writeSSHString(clientVersion)
    buffer.writeSSHString(serverVersion)
    buffer.writeSSHString(clientKexInit)
    buffer.writeSSHString(serverKexInit)
    buffer.writeSSHString(hostKeyBlob)
    buffer.writeSSHString(clientPublic)
    buffer.writeSSHString(serverPublic)
    buffer.writeSSHUnsignedMPInt(sharedSecret)
    return method.hash(buffer)
}

/// Derives one key (RFC 4253 §7.2):
///
///     K1 = HASH(K || H || X || session_id)
///     Kn+1 = HASH(K || H || K1 || ... || Kn)
///     key = K1 || K2 || ... truncated to `length`
///
/// with K encoded as mpint and X the letter "A" to "F".
///
/// - Parameters:
///   - sharedSecret: K as returned by ``SSHKeyExchangeMethod/sharedSecret(peerPublicKey:)``.
///   - exchangeHash: H of this key exchange.
///   - letter: "A" (IV client to server) through "F" (integrity key server to client).
///   - sessionID: the H of the first key exchange of the connection.
///   - length: the number of bytes wanted.
public func sshDeriveKey(
    method: any SSHKeyExchangeMethod,
    sharedSecret: [UInt8],
    exchangeHash: [UInt8],
    letter: UInt8,
    sessionID: [UInt8],
    length: Int
) -> [UInt8] {
    guard length > 0 else { return [] }
    var prefix = ByteBufferAllocator().buffer(capacity: 8 + sharedSecret.count + exchangeHash.count)
    prefix.writeSSHUnsignedMPInt(sharedSecret)
    prefix.writeBytes(exchangeHash)

    var first = prefix
    first.writeInteger(letter)
    first.writeBytes(sessionID)
    var key = method.hash(first)
    while key.count < length {
        var next = prefix
        next.writeBytes(key)
        key += method.hash(next)
    }
    return Array(key.prefix(length))
}

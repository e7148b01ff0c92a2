import SSHProtocol

/// The ciphers and MACs Ferry negotiates (RFC 4253 §6.3, §6.4, §7.1) and the factories for their packet
/// protection.
public enum SSHTransportAlgorithms {
    /// Encryption algorithms in order of preference: aes-gcm@openssh.com (RFC 5647, OpenSSH PROTOCOL §1.6),
    /// chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305) and aes*-ctr (RFC 4344 §4).
    public static let supportedCiphers: [String] = [
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "chacha20-poly1305@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
    ]

    /// MAC algorithms in order of preference: encrypt-then-MAC variants (OpenSSH PROTOCOL §1.7) first, then
    /// hmac-sha2 (RFC 6668 §2).
    public static let supportedMACs: [String] = [
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-512",
    ]

    /// Whether `cipher` is an AEAD cipher, whose negotiated MAC is ignored (OpenSSH PROTOCOL §1.6 rather than
    /// RFC 5647 §5.1, which would make the MAC negotiation fail).
    public static func isAEAD(cipher: String) -> Bool {
        switch cipher {
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com": return true
        default: return false
        }
    }

    /// The lengths of the keys to derive for one direction (RFC 4253 §7.2), each exactly what its algorithm uses.
    ///
    /// - Parameter mac: the negotiated MAC; ignored (and may be `nil`) for AEAD ciphers.
    /// - Throws: `SSHError(.unsupportedAlgorithm)` for an unknown cipher, or an unknown or missing MAC with a
    ///   non-AEAD cipher.
    public static func keyLengths(cipher: String, mac: String?) throws -> (iv: Int, encryption: Int, integrity: Int) {
        switch cipher {
        case "aes128-gcm@openssh.com": return (AESGCMNonceSequence.ivLength, 16, 0)
        case "aes256-gcm@openssh.com": return (AESGCMNonceSequence.ivLength, 32, 0)
        case "chacha20-poly1305@openssh.com": return (0, ChaChaPolyKeys.keyLength, 0)
        default: break
        }
        let encryption = try Self.ctrKeyLength(cipher: cipher)
        let algorithm = try Self.macAlgorithm(mac)
        return (AESCTRKeystream.blockSize, encryption, algorithm.keyLength)
    }

    /// Creates the protection for outbound packets after SSH_MSG_NEWKEYS.
    ///
    /// - Throws: `SSHError(.unsupportedAlgorithm)` for unknown algorithms, `SSHError(.keyExchangeFailed)` when a key
    ///   has the wrong length.
    public static func makeOutbound(
        cipher: String,
        mac: String?,
        keys: SSHDirectionalKeys
    ) throws -> any SSHOutboundProtection {
        switch cipher {
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
            try Self.checkKeyLengths(cipher: cipher, mac: mac, keys: keys)
            return try AESGCMOutboundProtection(keys: keys)
        case "chacha20-poly1305@openssh.com":
            return try ChaChaPolyOutboundProtection(keys: keys)
        default:
            try Self.checkKeyLengths(cipher: cipher, mac: mac, keys: keys)
            let packetMAC = try PacketMAC(algorithm: Self.macAlgorithm(mac), key: keys.integrityKey)
            return try AESCTROutboundProtection(keys: keys, mac: packetMAC)
        }
    }

    /// Creates the protection for inbound packets after SSH_MSG_NEWKEYS.
    ///
    /// - Parameter maximumPacketLength: the largest `packet_length` accepted (RFC 4253 §6.1).
    /// - Throws: as ``makeOutbound(cipher:mac:keys:)``.
    public static func makeInbound(
        cipher: String,
        mac: String?,
        keys: SSHDirectionalKeys,
        maximumPacketLength: Int
    ) throws -> any SSHInboundProtection {
        switch cipher {
        case "aes128-gcm@openssh.com", "aes256-gcm@openssh.com":
            try Self.checkKeyLengths(cipher: cipher, mac: mac, keys: keys)
            return try AESGCMInboundProtection(keys: keys, maximumPacketLength: maximumPacketLength)
        case "chacha20-poly1305@openssh.com":
            return try ChaChaPolyInboundProtection(keys: keys, maximumPacketLength: maximumPacketLength)
        default:
            try Self.checkKeyLengths(cipher: cipher, mac: mac, keys: keys)
            let packetMAC = try PacketMAC(algorithm: Self.macAlgorithm(mac), key: keys.integrityKey)
            return try AESCTRInboundProtection(keys: keys, mac: packetMAC, maximumPacketLength: maximumPacketLength)
        }
    }

    private static func ctrKeyLength(cipher: String) throws -> Int {
        switch cipher {
        case "aes128-ctr": return 16
        case "aes192-ctr": return 24
        case "aes256-ctr": return 32
        default: throw SSHError(.unsupportedAlgorithm, "unsupported cipher \(cipher)")
        }
    }

    private static func macAlgorithm(_ name: String?) throws -> HMACAlgorithm {
        guard let name else { throw SSHError(.unsupportedAlgorithm, "a MAC is required with a non-AEAD cipher") }
        guard let algorithm = HMACAlgorithm(name: name) else {
            throw SSHError(.unsupportedAlgorithm, "unsupported MAC \(name)")
        }
        return algorithm
    }

    /// Rejects keys whose lengths differ from ``keyLengths(cipher:mac:)`` (for example aes128 keys with aes256).
    private static func checkKeyLengths(cipher: String, mac: String?, keys: SSHDirectionalKeys) throws {
        let lengths = try Self.keyLengths(cipher: cipher, mac: mac)
        guard keys.initialIV.count == lengths.iv, keys.encryptionKey.count == lengths.encryption else {
            throw SSHError(
                .keyExchangeFailed,
                "\(cipher) needs a \(lengths.iv)-byte IV and a \(lengths.encryption)-byte key"
            )
        }
    }
}

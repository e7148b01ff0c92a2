import SSHKeys
import SSHProtocol
import SSHTransport

/// Which side of the connection this engine plays.
public enum SSHRole: Sendable, Equatable {
    case server
    case client
}

/// The algorithms one side offers, in preference order.
public struct SSHAlgorithms: Sendable, Equatable {
    public var keyExchange: [String]
    public var ciphers: [String]
    public var macs: [String]
    /// Host key signature algorithms a client accepts (ignored by servers, which offer what their keys can sign).
    public var hostKeys: [String]
    /// Whether SHA-1 `ssh-rsa` signatures are accepted for host and user keys (off by default).
    public var allowSHA1RSASignatures: Bool

    public init(
        keyExchange: [String] = SSHKeyExchangeMethods.supported,
        ciphers: [String] = SSHTransportAlgorithms.supportedCiphers,
        macs: [String] = SSHTransportAlgorithms.supportedMACs,
        hostKeys: [String] = SSHAlgorithms.defaultHostKeyAlgorithms,
        allowSHA1RSASignatures: Bool = false
    ) {
        self.keyExchange = keyExchange
        self.ciphers = ciphers
        self.macs = macs
        self.hostKeys = hostKeys
        self.allowSHA1RSASignatures = allowSHA1RSASignatures
    }

    /// Host key algorithms a client accepts by default, strongest first.
    public static let defaultHostKeyAlgorithms = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
        "rsa-sha2-256",
    ]

    /// Checks every name against what this implementation supports.
    ///
    /// - Throws: ``SSHError`` `.unsupportedAlgorithm` naming the first unknown algorithm.
    public func validate() throws {
        func check(_ names: [String], _ supported: [String], _ kind: String) throws {
            guard !names.isEmpty else { throw SSHError(.unsupportedAlgorithm, "no \(kind) algorithm configured") }
            for name in names where !supported.contains(name) {
                throw SSHError(.unsupportedAlgorithm, "unsupported \(kind) algorithm '\(name)'")
            }
        }
        try check(self.keyExchange, SSHKeyExchangeMethods.supported, "key exchange")
        try check(self.ciphers, SSHTransportAlgorithms.supportedCiphers, "cipher")
        try check(self.macs, SSHTransportAlgorithms.supportedMACs, "MAC")
        try check(self.hostKeys, SSHAlgorithms.defaultHostKeyAlgorithms + ["ssh-rsa"], "host key")
    }
}

/// Limits applied to everything that arrives from the network.
public struct SSHLimits: Sendable, Equatable {
    /// Largest binary packet accepted (RFC 4253 §6.1 requires at least 35000).
    public var maximumPacketLength: Int = 256 * 1024 + 1024
    /// Channels open at once on one connection.
    public var maximumChannels: Int = 16
    /// Authentication requests before the connection is closed.
    public var maximumAuthenticationAttempts: Int = 6
    /// Receive window granted to the peer for each channel.
    public var channelWindowSize: UInt32 = 2 * 1024 * 1024
    /// Largest channel data payload the peer may send us.
    public var channelMaximumPacketSize: UInt32 = 256 * 1024
    /// Bytes queued for one channel before it reports itself unwritable.
    public var channelHighWaterMark: Int = 1024 * 1024
    /// Lines a server may send before its version line (client role).
    public var maximumPreVersionLines: Int = 1024
    /// Bytes sent or received before keys are renewed (RFC 4253 §9 recommends 1 GiB).
    public var rekeyBytes: UInt64 = 1 << 30
    /// Seconds before keys are renewed (RFC 4253 §9 recommends one hour).
    public var rekeySeconds: Double = 3600

    public init() {}
}

/// Everything an ``SSHConnectionEngine`` needs to know before the first byte.
public struct SSHConnectionConfiguration: Sendable {
    public var role: SSHRole
    public var algorithms: SSHAlgorithms
    public var limits: SSHLimits
    /// The software version sent in the identification line (RFC 4253 §4.2): "SSH-2.0-<this>".
    public var softwareVersion: String
    /// Server role: host keys, one per type at most.
    public var hostKeys: [SSHPrivateKey]
    /// Server role: authentication methods offered.
    public var authenticationMethods: [String]
    /// Server role: a banner sent before authentication.
    public var banner: String?

    public init(
        role: SSHRole,
        algorithms: SSHAlgorithms = SSHAlgorithms(),
        limits: SSHLimits = SSHLimits(),
        softwareVersion: String = "Ferry_0.1",
        hostKeys: [SSHPrivateKey] = [],
        authenticationMethods: [String] = ["publickey", "password", "keyboard-interactive"],
        banner: String? = nil
    ) {
        self.role = role
        self.algorithms = algorithms
        self.limits = limits
        self.softwareVersion = softwareVersion
        self.hostKeys = hostKeys
        self.authenticationMethods = authenticationMethods
        self.banner = banner
    }
}

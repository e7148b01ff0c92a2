import NIOCore
import SSHConnection
import SSHKeys
import SSHServer
import VFS

extension ServeConfiguration {
    /// The SSH algorithms to offer; `ssh-rsa` among the host key algorithms also accepts SHA-1 RSA signatures.
    public var sshAlgorithms: SSHAlgorithms {
        SSHAlgorithms(
            keyExchange: self.algorithms.keyExchange,
            ciphers: self.algorithms.ciphers,
            macs: self.algorithms.macs,
            hostKeys: self.algorithms.hostKeys,
            allowSHA1RSASignatures: self.algorithms.hostKeys.contains("ssh-rsa")
        )
    }

    /// The SSH server settings: algorithms, authentication attempts, sessions per connection, login grace time
    /// and the connection cap.
    ///
    /// - Parameter hostKeys: The loaded host keys (from ``hostKeys``).
    public func sshServerConfiguration(hostKeys: [SSHPrivateKey]) -> SSHServerConfiguration {
        var limits = SSHLimits()
        limits.maximumAuthenticationAttempts = self.limits.maximumAuthenticationAttempts
        limits.maximumChannels = self.limits.maximumSessionsPerConnection
        var configuration = SSHServerConfiguration(
            connection: SSHConnectionConfiguration(
                role: .server,
                algorithms: self.sshAlgorithms,
                limits: limits,
                hostKeys: hostKeys
            )
        )
        configuration.authenticationTimeout = TimeAmount(self.limits.loginGraceTime)
        configuration.maximumConnections = self.limits.maximumConnections
        return configuration
    }

    /// The limits of each user's VFS session: open handles and file size.
    public var vfsLimits: VFSLimits {
        VFSLimits(maximumHandles: self.limits.maximumHandles, maximumFileSize: self.limits.maximumFileSize)
    }

    /// The admission and ban policy for an ``AddressGuard``.
    public var addressGuardPolicy: AddressGuard.Policy {
        AddressGuard.Policy(
            maximumConnections: self.limits.maximumConnections,
            maximumConnectionsPerAddress: self.limits.maximumConnectionsPerAddress,
            banEnabled: self.ban.enabled,
            banFailures: self.ban.failures,
            banWindow: self.ban.window,
            banDuration: self.ban.duration,
            exempt: self.ban.exempt
        )
    }
}

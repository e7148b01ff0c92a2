import NIOCore
import SSHConnection

/// Decides login attempts for an ``SSHServer``.
///
/// Implementations must compare secrets in constant time and must never log a password.
public protocol SSHServerAuthenticator: Sendable {
    /// Decides one attempt. A public key's signature has already been verified when `isQuery` is false.
    ///
    /// - Parameters:
    ///   - request: what the client presented.
    ///   - clientAddress: the peer's address, for address-restricted keys and logs.
    func authenticate(
        _ request: SSHAuthenticationRequest,
        clientAddress: SocketAddress?
    ) async -> SSHAuthenticationResult
}

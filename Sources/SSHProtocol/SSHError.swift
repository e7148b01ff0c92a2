/// The one error type of Ferry's SSH layers: a public, stable ``Code`` plus a diagnostic message.
///
/// New failure kinds are added as new codes without breaking callers that switch on the ones they know.
public struct SSHError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// A message could not be parsed, or was not allowed in the current state.
        public static let protocolError = Code("protocolError")
        /// The peer's version line was malformed or not SSH-2.0.
        public static let badVersion = Code("badVersion")
        /// A packet length, padding or size limit was violated.
        public static let badPacket = Code("badPacket")
        /// Integrity check (MAC or AEAD tag) failed.
        public static let macError = Code("macError")
        /// No algorithm in common, or the key exchange failed.
        public static let keyExchangeFailed = Code("keyExchangeFailed")
        /// The host key signature did not verify, or the host key was rejected.
        public static let hostKeyNotVerifiable = Code("hostKeyNotVerifiable")
        /// A key or signature blob was malformed or of an unsupported type.
        public static let invalidKey = Code("invalidKey")
        /// A key file could not be parsed.
        public static let invalidKeyFile = Code("invalidKeyFile")
        /// A key file is encrypted and the passphrase is missing or wrong.
        public static let wrongPassphrase = Code("wrongPassphrase")
        /// An algorithm is not supported (or not enabled).
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// Authentication failed or was abandoned.
        public static let authenticationFailed = Code("authenticationFailed")
        /// A configured limit (time, count, size) was exceeded.
        public static let limitExceeded = Code("limitExceeded")
        /// The peer sent SSH_MSG_DISCONNECT.
        public static let disconnected = Code("disconnected")
        /// A channel operation was refused or the channel was not in a state that allows it.
        public static let channelError = Code("channelError")
        /// The connection was closed.
        public static let connectionClosed = Code("connectionClosed")
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable diagnostic; never contains secrets.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}

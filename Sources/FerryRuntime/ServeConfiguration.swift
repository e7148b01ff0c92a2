import Logging
import SSHConnection

/// Everything `ferry serve` needs to know before it starts: where it listens, where its data and host keys live,
/// which storage it serves, the SSH algorithms, limits, banning, shutdown and logging.
///
/// `ServeConfiguration()` is the built-in default. ``load(configFile:environment:overrides:)`` layers, from lowest
/// to highest precedence, the defaults, an optional YAML file, `FERRY_*` environment variables and explicit
/// command-line overrides; ``documentedYAML`` is a commented file of every key with its default.
public struct ServeConfiguration: Sendable, Equatable {
    /// The addresses to listen on.
    public var listen: [ListenAddress]
    /// The directory holding Ferry's state; the defaults of ``hostKeys`` and ``StorageSettings/root`` live
    /// under it.
    public var dataDirectory: String
    /// Private host key files, one per algorithm.
    public var hostKeys: [String]
    /// Where users' files are stored.
    public var storage: StorageSettings
    /// How uploads are written.
    public var uploads: Uploads
    /// The SSH algorithms offered, in preference order.
    public var algorithms: Algorithms
    /// Connection, session and file limits.
    public var limits: Limits
    /// Banning addresses after repeated authentication failures.
    public var ban: Ban
    /// How long a shutdown waits for open sessions before closing them.
    public var shutdownGrace: Duration
    /// Log output.
    public var log: Log
    /// The environment variable holding users in atmoz/sftp's `user:pass[:e][:uid[:gid[:dirs]]]` format.
    public var usersEnvironmentVariable: String

    /// The default data directory.
    public static let defaultDataDirectory = "./ferry-data"

    /// Creates the default configuration, with paths under `dataDirectory`.
    ///
    /// - Parameter dataDirectory: The data directory; `./ferry-data` by default.
    public init(dataDirectory: String = ServeConfiguration.defaultDataDirectory) {
        self.listen = [ListenAddress(host: "127.0.0.1", port: 2222)]
        self.dataDirectory = dataDirectory
        self.hostKeys = Self.defaultHostKeys(dataDirectory: dataDirectory)
        self.storage = StorageSettings(kind: .local, root: Self.defaultStorageRoot(dataDirectory: dataDirectory))
        self.uploads = Uploads()
        self.algorithms = Algorithms()
        self.limits = Limits()
        self.ban = Ban()
        self.shutdownGrace = .seconds(30)
        self.log = Log()
        self.usersEnvironmentVariable = "FERRY_USERS"
    }

    /// `DATA/host_keys/ssh_host_{ed25519,ecdsa,rsa}_key`.
    public static func defaultHostKeys(dataDirectory: String) -> [String] {
        ["ed25519", "ecdsa", "rsa"].map { joinPath(dataDirectory, "host_keys/ssh_host_\($0)_key") }
    }

    /// `DATA/home`.
    public static func defaultStorageRoot(dataDirectory: String) -> String {
        joinPath(dataDirectory, "home")
    }

    /// `directory/name` with exactly one slash between them.
    static func joinPath(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

extension ServeConfiguration {
    /// One address to listen on: a host name or IP address and a TCP port.
    public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
        /// A host name, an IPv4 address or an IPv6 address (without brackets).
        public var host: String
        /// The TCP port; 0 lets the system choose.
        public var port: Int

        /// Creates an address.
        ///
        /// - Parameters:
        ///   - host: A host name or IP address, IPv6 without brackets.
        ///   - port: The TCP port.
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `HOST:PORT` or `[IPV6]:PORT`.
        ///
        /// - Returns: `nil` when the text is not of that form, the port is not in 0…65535, or an IPv6 address
        ///   lacks its brackets.
        public init?(parsing text: String) {
            let text = text.trimmingSpaces()
            let host: Substring
            let port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":"), host.contains(":"),
                    host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ":.%".contains($0)) })
                else { return nil }
                port = rest.dropFirst()
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
                guard !host.contains(":"),
                    host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
                else { return nil }
            }
            guard !host.isEmpty, !port.isEmpty, port.allSatisfy(\.isASCIIDigit), port.count <= 5,
                let number = Int(port), number <= 65535
            else { return nil }
            self.init(host: String(host), port: number)
        }

        /// `HOST:PORT`, or `[HOST]:PORT` for IPv6.
        public var description: String {
            self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
        }
    }

    /// Which storage backend serves users' files.
    public enum StorageKind: String, Sendable, Hashable, CaseIterable {
        /// A directory on local disk.
        case local
        /// In memory, POSIX-like; lost on exit.
        case memory
        /// In memory with object-store semantics (whole-object writes, implied directories); lost on exit.
        case memoryObject = "memory-object"
    }

    /// Where users' files are stored.
    public struct StorageSettings: Sendable, Hashable {
        /// The backend.
        public var kind: StorageKind
        /// The directory holding one directory per user, `ROOT/USERNAME`, unless a user's home says otherwise.
        /// Only the `local` backend uses it.
        public var root: String

        /// Creates a storage configuration.
        ///
        /// - Parameters:
        ///   - kind: The backend.
        ///   - root: The directory of users' directories.
        public init(kind: StorageKind, root: String) {
            self.kind = kind
            self.root = root
        }
    }

    /// How uploads are written.
    public struct Uploads: Sendable, Hashable {
        /// Whether an upload appears under its name only once it is complete (written to a hidden temporary file
        /// and renamed), so an interrupted upload leaves nothing behind.
        public var atomic: Bool

        /// Creates an upload configuration.
        ///
        /// - Parameter atomic: Whether uploads are atomic; `true` by default.
        public init(atomic: Bool = true) {
            self.atomic = atomic
        }
    }

    /// The SSH algorithms, each list in preference order.
    public struct Algorithms: Sendable, Hashable {
        /// Encryption algorithms.
        public var ciphers: [String]
        /// Key exchange methods.
        public var keyExchange: [String]
        /// MAC algorithms (used with ciphers that are not AEAD).
        public var macs: [String]
        /// Host key signature algorithms; listing `ssh-rsa` also accepts SHA-1 RSA signatures.
        public var hostKeys: [String]

        /// Every cipher the SSH implementation supports, in its preference order.
        public static let supportedCiphers = SSHAlgorithms().ciphers
        /// Every key exchange method the SSH implementation supports, in its preference order.
        public static let supportedKeyExchange = SSHAlgorithms().keyExchange
        /// Every MAC the SSH implementation supports, in its preference order.
        public static let supportedMACs = SSHAlgorithms().macs
        /// Every host key signature algorithm the SSH implementation supports, `ssh-rsa` (SHA-1) last.
        public static let supportedHostKeys = SSHAlgorithms.defaultHostKeyAlgorithms + ["ssh-rsa"]

        /// Creates an algorithm configuration; every list defaults to the SSH implementation's defaults.
        ///
        /// - Parameters:
        ///   - ciphers: Encryption algorithms.
        ///   - keyExchange: Key exchange methods.
        ///   - macs: MAC algorithms.
        ///   - hostKeys: Host key signature algorithms.
        public init(
            ciphers: [String] = SSHAlgorithms().ciphers,
            keyExchange: [String] = SSHAlgorithms().keyExchange,
            macs: [String] = SSHAlgorithms().macs,
            hostKeys: [String] = SSHAlgorithms().hostKeys
        ) {
            self.ciphers = ciphers
            self.keyExchange = keyExchange
            self.macs = macs
            self.hostKeys = hostKeys
        }
    }

    /// Connection, session and file limits.
    public struct Limits: Sendable, Hashable {
        /// Connections served at once.
        public var maximumConnections: Int
        /// Connections served at once from one address.
        public var maximumConnectionsPerAddress: Int
        /// Authentication attempts on one connection before it is closed.
        public var maximumAuthenticationAttempts: Int
        /// Time from accepting a connection to a successful login.
        public var loginGraceTime: Duration
        /// Time a connection may stay without traffic before it is closed; `nil` for never.
        public var idleTimeout: Duration?
        /// Sessions (channels) open at once on one connection.
        public var maximumSessionsPerConnection: Int
        /// Files and directories open at once in one session.
        public var maximumHandles: Int
        /// The largest file an upload may produce, in bytes; `nil` for no limit.
        public var maximumFileSize: UInt64?

        /// Creates limits; each defaults to Ferry's default.
        ///
        /// - Parameters:
        ///   - maximumConnections: Connections at once; 1000.
        ///   - maximumConnectionsPerAddress: Connections at once from one address; 20.
        ///   - maximumAuthenticationAttempts: Authentication attempts per connection; 6.
        ///   - loginGraceTime: Time to log in; 2 minutes.
        ///   - idleTimeout: Time without traffic; 15 minutes.
        ///   - maximumSessionsPerConnection: Sessions per connection; 10.
        ///   - maximumHandles: Open handles per session; 256.
        ///   - maximumFileSize: Largest upload; none.
        public init(
            maximumConnections: Int = 1000,
            maximumConnectionsPerAddress: Int = 20,
            maximumAuthenticationAttempts: Int = 6,
            loginGraceTime: Duration = .seconds(120),
            idleTimeout: Duration? = .seconds(15 * 60),
            maximumSessionsPerConnection: Int = 10,
            maximumHandles: Int = 256,
            maximumFileSize: UInt64? = nil
        ) {
            self.maximumConnections = maximumConnections
            self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
            self.maximumAuthenticationAttempts = maximumAuthenticationAttempts
            self.loginGraceTime = loginGraceTime
            self.idleTimeout = idleTimeout
            self.maximumSessionsPerConnection = maximumSessionsPerConnection
            self.maximumHandles = maximumHandles
            self.maximumFileSize = maximumFileSize
        }
    }

    /// Banning addresses after repeated authentication failures.
    public struct Ban: Sendable, Hashable {
        /// Whether addresses are banned at all.
        public var enabled: Bool
        /// Failures within ``window`` that ban an address.
        public var failures: Int
        /// The span in which ``failures`` failures ban an address.
        public var window: Duration
        /// How long a ban lasts.
        public var duration: Duration
        /// Addresses and networks never banned. Loopback is not exempt unless listed.
        public var exempt: [AddressRange]

        /// Creates a ban configuration; each setting defaults to Ferry's default.
        ///
        /// - Parameters:
        ///   - enabled: Whether banning is on; `true`.
        ///   - failures: Failures that ban; 10.
        ///   - window: The span they must fall in; 10 minutes.
        ///   - duration: The ban's length; 15 minutes.
        ///   - exempt: Addresses never banned; none.
        public init(
            enabled: Bool = true,
            failures: Int = 10,
            window: Duration = .seconds(10 * 60),
            duration: Duration = .seconds(15 * 60),
            exempt: [AddressRange] = []
        ) {
            self.enabled = enabled
            self.failures = failures
            self.window = window
            self.duration = duration
            self.exempt = exempt
        }
    }

    /// How log lines are written.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        /// `key=value` pairs, one line per event.
        case logfmt
        /// One JSON object per line.
        case json
    }

    /// Log output.
    public struct Log: Sendable, Hashable {
        /// The line format.
        public var format: LogFormat
        /// The lowest level written.
        public var level: Logger.Level

        /// Creates a log configuration.
        ///
        /// - Parameters:
        ///   - format: The line format; logfmt.
        ///   - level: The lowest level written; info.
        public init(format: LogFormat = .logfmt, level: Logger.Level = .info) {
            self.format = format
            self.level = level
        }
    }
}

// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["ferry"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // Pure SSH wire codec: primitives and every message. NIOCore only.
        .target(
            name: "SSHProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // Keys, signatures and their file formats (OpenSSH, PEM, authorized_keys, known_hosts).
        .target(
            name: "SSHKeys",
            dependencies: [
                "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Packet protection (ciphers, MACs), key exchange methods and key derivation.
        .target(
            name: "SSHTransport",
            dependencies: [
                "SSHProtocol",
                "SSHKeys",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Sans-I/O SSH connection engine: transport, user authentication and connection protocols,
        // server and client roles.
        .target(
            name: "SSHConnection",
            dependencies: [
                "SSHProtocol",
                "SSHKeys",
                "SSHTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SSHServer",
            dependencies: [
                "SSHProtocol",
                "SSHKeys",
                "SSHConnection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SSHClient",
            dependencies: [
                "SSHProtocol",
                "SSHKeys",
                "SSHConnection",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "SSHProtocol",
                "SSHKeys",
                "SSHConnection",
                "SSHServer",
                "SSHClient",
                "SFTPClient",
                "SFTPProtocol",
                "Mirror",
                "Events",
                "AdminAPI",
                "Accounts",
                "AccountsSQLite",
                "FerryCore",
                "FerryRuntime",
                "SFTPServer",
                "VFS",
                "StorageLocal",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Paths (normalised, jail-relative), file attributes and the shared error type.
        .target(
            name: "FerryCore",
            dependencies: [],
            swiftSettings: strict
        ),
        // The storage contract: a narrow required protocol plus discovered capabilities.
        .target(
            name: "Storage",
            dependencies: ["FerryCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "StorageMemory",
            dependencies: ["FerryCore", "Storage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "StorageLocal",
            dependencies: [
                "FerryCore", "Storage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The system's libcrypt (libxcrypt): crypt_rn and crypt_gensalt_rn.
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        // Users, password hashing and user-list formats.
        .target(
            name: "Accounts",
            dependencies: [
                "CCrypt", "SSHKeys",
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Per-user sessions over storage: mounts, permissions, open-flag semantics, handles, uploads, events.
        .target(
            name: "VFS",
            dependencies: ["FerryCore", "Storage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // The suite every storage backend runs.
        .target(
            name: "StorageConformance",
            dependencies: ["FerryCore", "Storage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // Pure SFTP v3 codec (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions.
        .target(
            name: "SFTPProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // libFuzzer target for the message decoder (built with -DFERRY_LIBFUZZER -sanitize=fuzzer by fuzz/run.sh);
        // otherwise a replayer for saved inputs: `swift run FerryFuzz fuzz/corpus`.
        .executableTarget(
            name: "FerryFuzz",
            dependencies: ["SSHProtocol", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // libFuzzer target for a whole connection engine fed network bytes (packet decoding, key exchange,
        // authentication and channel state); otherwise a replayer: `swift run FerryFuzzConnection fuzz/connection-corpus`.
        .executableTarget(
            name: "FerryFuzzConnection",
            dependencies: [
                "SSHConnection", "SSHKeys", "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The SFTP v3 server: request dispatch onto a VFS session, status mapping, and the glue to an SSH
        // session channel or a pair of pipes (stdio mode).
        .target(
            name: "SFTPServer",
            dependencies: [
                "SFTPProtocol", "VFS", "FerryCore", "Storage", "SSHServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The embedded SQLite stores (GRDB): users and the transfer log.
        .target(
            name: "AccountsSQLite",
            dependencies: [
                "Accounts", "SSHKeys",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Composition root: configuration (YAML file + environment) → services.
        .target(
            name: "FerryRuntime",
            dependencies: [
                "Accounts", "AccountsSQLite", "SSHKeys", "SSHConnection", "SSHServer", "SFTPServer",
                "VFS", "FerryCore", "Storage", "StorageLocal", "StorageMemory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The SFTP v3 client: one session over an SSH channel (or any byte transport), pipelined transfers,
        // and connecting the way OpenSSH does (URLs, ssh_config, known_hosts, keys, ssh-agent).
        .target(
            name: "SFTPClient",
            dependencies: [
                "SFTPProtocol", "SSHClient", "SSHConnection", "SSHKeys", "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Events leaving Ferry: HMAC-signed webhooks delivered from a durable outbox with retries.
        .target(
            name: "Events",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `ferry mirror`: pull new files from a remote SFTP folder exactly once (SQLite ledger and outbox).
        .target(
            name: "Mirror",
            dependencies: [
                "SFTPClient", "SFTPProtocol", "Events",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // HTTP endpoints for operators: health (and later readiness, metrics, REST).
        .target(
            name: "AdminAPI",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SFTPClientTests",
            dependencies: [
                "SFTPClient", "SFTPServer", "SFTPProtocol", "VFS", "FerryCore", "Storage", "StorageMemory",
                "SSHKeys", "SSHClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventsTests",
            dependencies: [
                "Events",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MirrorTests",
            dependencies: [
                "Mirror", "Events", "SFTPClient", "SFTPServer", "SFTPProtocol", "VFS", "FerryCore", "Storage",
                "StorageMemory",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SFTPServerTests",
            dependencies: [
                "SFTPServer", "SFTPProtocol", "VFS", "FerryCore", "Storage", "StorageMemory", "StorageLocal",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AccountsSQLiteTests",
            dependencies: ["AccountsSQLite", "Accounts", "SSHKeys"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryRuntimeTests",
            dependencies: [
                "FerryRuntime", "Accounts", "SSHServer",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FerryCoreTests",
            dependencies: ["FerryCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "FerryCore", "Storage", "StorageMemory", "StorageLocal", "StorageConformance",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VFSTests",
            dependencies: [
                "VFS", "FerryCore", "Storage", "StorageMemory", "StorageLocal",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AccountsTests",
            dependencies: ["Accounts", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SFTPProtocolTests",
            dependencies: ["SFTPProtocol", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SSHProtocolTests",
            dependencies: ["SSHProtocol", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SSHKeysTests",
            dependencies: [
                "SSHKeys", "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SSHTransportTests",
            dependencies: [
                "SSHTransport", "SSHKeys", "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SSHConnectionTests",
            dependencies: [
                "SSHConnection", "SSHTransport", "SSHKeys", "SSHProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SSHServer", "SSHClient", "SSHConnection", "SSHKeys", "SSHProtocol", "SFTPClient", "SFTPProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Peers"],
            swiftSettings: strict
        ),
    ]
)

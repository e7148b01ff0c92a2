import FerryRuntime
import Foundation
import NIOCore
import SSHServer
import Testing

@Suite struct ServeConfigurationTests {
    @Test func theDefaults() async throws {
        let configuration = try await load()
        #expect(configuration == ServeConfiguration())
        #expect(configuration.listen == [ServeConfiguration.ListenAddress(host: "127.0.0.1", port: 2222)])
        #expect(configuration.dataDirectory == "./ferry-data")
        #expect(
            configuration.hostKeys == [
                "./ferry-data/host_keys/ssh_host_ed25519_key",
                "./ferry-data/host_keys/ssh_host_ecdsa_key",
                "./ferry-data/host_keys/ssh_host_rsa_key",
            ]
        )
        #expect(configuration.storage == .init(kind: .local, root: "./ferry-data/home"))
        #expect(configuration.uploads.atomic)
        #expect(configuration.algorithms.ciphers == ServeConfiguration.Algorithms.supportedCiphers)
        #expect(configuration.algorithms.keyExchange == ServeConfiguration.Algorithms.supportedKeyExchange)
        #expect(configuration.algorithms.macs == ServeConfiguration.Algorithms.supportedMACs)
        #expect(!configuration.algorithms.hostKeys.contains("ssh-rsa"))
        let limits = configuration.limits
        #expect(limits.maximumConnections == 1000)
        #expect(limits.maximumConnectionsPerAddress == 20)
        #expect(limits.maximumAuthenticationAttempts == 6)
        #expect(limits.loginGraceTime == .seconds(120))
        #expect(limits.idleTimeout == .seconds(900))
        #expect(limits.maximumSessionsPerConnection == 10)
        #expect(limits.maximumHandles == 256)
        #expect(limits.maximumFileSize == nil)
        #expect(configuration.ban == .init(enabled: true, failures: 10, window: .seconds(600), duration: .seconds(900)))
        #expect(configuration.shutdownGrace == .seconds(30))
        #expect(configuration.log.format == .logfmt)
        #expect(configuration.log.level.rawValue == "info")
        #expect(configuration.usersEnvironmentVariable == "FERRY_USERS")
    }

    @Test func pathsFollowTheDataDirectoryUnlessGiven() async throws {
        let moved = try await load(environment: ["FERRY_DATA_DIR": "/var/lib/ferry/"])
        #expect(moved.hostKeys.first == "/var/lib/ferry/host_keys/ssh_host_ed25519_key")
        #expect(moved.storage.root == "/var/lib/ferry/home")

        let given = try await load(
            file: """
                data_dir: /srv/ferry
                host_keys: [/etc/ferry/key]
                storage:
                  root: /srv/files
                """
        )
        #expect(given.hostKeys == ["/etc/ferry/key"])
        #expect(given.storage.root == "/srv/files")
    }

    @Test func theFileOverridesTheDefaults() async throws {
        let configuration = try await load(
            file: """
                listen:
                  - 0.0.0.0:22
                  - "[::1]:2222"
                host_keys:
                  - /etc/ferry/ed25519
                storage:
                  kind: memory-object
                uploads:
                  atomic: false
                algorithms:
                  ciphers: [aes256-gcm@openssh.com, aes256-ctr]
                  kex: [curve25519-sha256]
                  macs: [hmac-sha2-512]
                  host_keys: [ssh-ed25519, ssh-rsa]
                limits:
                  max_connections: 50
                  max_connections_per_ip: 5
                  max_auth_attempts: 3
                  login_grace_time: 30s
                  idle_timeout: 0
                  max_sessions_per_connection: 2
                  max_handles: 64
                  max_file_size: 20MiB
                ban:
                  enabled: no
                  failures: 3
                  window: 1h
                  duration: 1d
                  exempt: [127.0.0.1, 10.0.0.0/8, "fd00::/8"]
                shutdown_grace: 5s
                log:
                  format: json
                  level: debug
                users_env: SFTP_USERS
                """
        )
        #expect(
            configuration.listen == [
                .init(host: "0.0.0.0", port: 22), .init(host: "::1", port: 2222),
            ]
        )
        #expect(configuration.hostKeys == ["/etc/ferry/ed25519"])
        #expect(configuration.storage.kind == .memoryObject)
        #expect(!configuration.uploads.atomic)
        #expect(configuration.algorithms.ciphers == ["aes256-gcm@openssh.com", "aes256-ctr"])
        #expect(configuration.algorithms.keyExchange == ["curve25519-sha256"])
        #expect(configuration.algorithms.macs == ["hmac-sha2-512"])
        #expect(configuration.algorithms.hostKeys == ["ssh-ed25519", "ssh-rsa"])
        #expect(
            configuration.limits
                == .init(
                    maximumConnections: 50,
                    maximumConnectionsPerAddress: 5,
                    maximumAuthenticationAttempts: 3,
                    loginGraceTime: .seconds(30),
                    idleTimeout: nil,
                    maximumSessionsPerConnection: 2,
                    maximumHandles: 64,
                    maximumFileSize: 20 * 1024 * 1024
                )
        )
        #expect(
            configuration.ban
                == .init(
                    enabled: false,
                    failures: 3,
                    window: .seconds(3600),
                    duration: .seconds(86400),
                    exempt: [AddressRange("127.0.0.1")!, AddressRange("10.0.0.0/8")!, AddressRange("fd00::/8")!]
                )
        )
        #expect(configuration.shutdownGrace == .seconds(5))
        #expect(configuration.log.format == .json)
        #expect(configuration.log.level.rawValue == "debug")
        #expect(configuration.usersEnvironmentVariable == "SFTP_USERS")
    }

    @Test func theEnvironmentOverridesTheFile() async throws {
        let configuration = try await load(
            file: """
                listen: 0.0.0.0:22
                limits:
                  max_connections: 50
                  max_connections_per_ip: 5
                log:
                  level: debug
                """,
            environment: [
                "FERRY_LISTEN": "127.0.0.1:2200, [::]:2200",
                "FERRY_LIMITS_MAX_CONNECTIONS_PER_IP": "7",
                "FERRY_ALGORITHMS_CIPHERS": "aes128-ctr,aes256-ctr",
                "FERRY_BAN_EXEMPT": "192.0.2.0/24",
                "FERRY_LOG_LEVEL": "",
                "HOME": "/root",
            ]
        )
        #expect(configuration.listen == [.init(host: "127.0.0.1", port: 2200), .init(host: "::", port: 2200)])
        #expect(configuration.limits.maximumConnections == 50)
        #expect(configuration.limits.maximumConnectionsPerAddress == 7)
        #expect(configuration.algorithms.ciphers == ["aes128-ctr", "aes256-ctr"])
        #expect(configuration.ban.exempt == [AddressRange("192.0.2.0/24")!])
        // An empty variable counts as unset.
        #expect(configuration.log.level.rawValue == "debug")
    }

    @Test func theCommandLineOverridesTheEnvironment() async throws {
        let configuration = try await load(
            file: "limits:\n  idle_timeout: 1h\n  max_handles: 10\n",
            environment: [
                "FERRY_LIMITS_IDLE_TIMEOUT": "5m", "FERRY_LISTEN": "127.0.0.1:1", "FERRY_LOG_LEVEL": "error",
            ],
            overrides: ["limits.idle_timeout": "90s", "listen": "[::1]:2, 127.0.0.1:3"]
        )
        #expect(configuration.limits.idleTimeout == .seconds(90))
        #expect(configuration.limits.maximumHandles == 10)
        #expect(configuration.listen == [.init(host: "::1", port: 2), .init(host: "127.0.0.1", port: 3)])
        #expect(configuration.log.level.rawValue == "error")
    }

    @Test func everyKeyHasItsOwnEnvironmentVariable() async throws {
        let variables = ServeConfiguration.keys.map(ServeConfiguration.environmentVariable(for:))
        #expect(Set(variables).count == ServeConfiguration.keys.count)
        #expect(ServeConfiguration.environmentVariable(for: "listen") == "FERRY_LISTEN")
        #expect(
            ServeConfiguration.environmentVariable(for: "limits.max_connections_per_ip")
                == "FERRY_LIMITS_MAX_CONNECTIONS_PER_IP"
        )
        // The names the environment provider looks up are the documented ones: a bad value in each is reported
        // under its documented name.
        for (key, variable) in zip(ServeConfiguration.keys, variables) {
            let value = "[bad value]"
            switch key {
            case "data_dir":
                #expect(try await load(environment: [variable: value]).dataDirectory == value)
            case "host_keys":
                #expect(try await load(environment: [variable: value]).hostKeys == [value])
            case "storage.root":
                #expect(try await load(environment: [variable: value]).storage.root == value)
            default:
                let error = await loadError(environment: [variable: value])
                #expect(error?.key == key, "\(variable)")
                #expect(error?.source == .environment(variable), "\(variable)")
            }
        }
    }

    @Test func durationsAndSizesInEveryKeyThatTakesThem() async throws {
        let configuration = try await load(
            environment: [
                "FERRY_LIMITS_LOGIN_GRACE_TIME": "45",
                "FERRY_LIMITS_IDLE_TIMEOUT": "2h",
                "FERRY_BAN_WINDOW": "1d",
                "FERRY_BAN_DURATION": "90s",
                "FERRY_SHUTDOWN_GRACE": "0",
                "FERRY_LIMITS_MAX_FILE_SIZE": "512k",
            ]
        )
        #expect(configuration.limits.loginGraceTime == .seconds(45))
        #expect(configuration.limits.idleTimeout == .seconds(7200))
        #expect(configuration.ban.window == .seconds(86400))
        #expect(configuration.ban.duration == .seconds(90))
        #expect(configuration.shutdownGrace == .zero)
        #expect(configuration.limits.maximumFileSize == 512 * 1024)
        let none = try await load(file: "limits:\n  max_file_size: 1G\n", overrides: ["limits.max_file_size": "none"])
        #expect(none.limits.maximumFileSize == nil)
    }

    @Test func aBadValueNamesTheKeyTheValueAndTheSource() async throws {
        let fromEnvironment = await loadError(environment: ["FERRY_LIMITS_IDLE_TIMEOUT": "abc"])
        #expect(fromEnvironment?.code == .invalidValue)
        #expect(fromEnvironment?.key == "limits.idle_timeout")
        #expect(fromEnvironment?.source == .environment("FERRY_LIMITS_IDLE_TIMEOUT"))
        #expect(
            fromEnvironment?.description
                == #"limits.idle_timeout: "abc" is not a duration (from FERRY_LIMITS_IDLE_TIMEOUT)"#
        )

        let fromFile = await loadError(file: "limits:\n  max_file_size: 1.5G\n")
        #expect(fromFile?.description == #"limits.max_file_size: "1.5G" is not a size or none (from FILE)"#)

        let fromFlag = await loadError(overrides: ["limits.max_connections": "lots"])
        #expect(fromFlag?.source == .commandLine)
        #expect(
            fromFlag?.description
                == #"limits.max_connections: "lots" is not a whole number in 1…1000000 (from the command line)"#
        )
    }

    @Test func badValuesAreRefused() async throws {
        let cases: [(String, String, String)] = [
            ("FERRY_LISTEN", "localhost", #"listen: "localhost" is not HOST:PORT"#),
            ("FERRY_LISTEN", "::1:2222", #"listen: "::1:2222" is not HOST:PORT"#),
            ("FERRY_LISTEN", "127.0.0.1:65536", #"listen: "127.0.0.1:65536" is not"#),
            ("FERRY_STORAGE_KIND", "s3", #"storage.kind: "s3" is not a storage kind (local, memory, memory-object)"#),
            ("FERRY_UPLOADS_ATOMIC", "maybe", #"uploads.atomic: "maybe" is not a boolean"#),
            ("FERRY_LIMITS_MAX_HANDLES", "0", #"limits.max_handles: "0" is not a whole number in 1…65536"#),
            ("FERRY_LIMITS_MAX_AUTH_ATTEMPTS", "-1", #"limits.max_auth_attempts: "-1" is not a whole number"#),
            ("FERRY_LIMITS_LOGIN_GRACE_TIME", "0", #"limits.login_grace_time: "0" must be longer than 0"#),
            ("FERRY_BAN_WINDOW", "10 minutes", #"ban.window: "10 minutes" is not a duration"#),
            ("FERRY_BAN_EXEMPT", "10.0.0.0/33", #"ban.exempt: "10.0.0.0/33" is not an IP address or CIDR range"#),
            ("FERRY_LOG_FORMAT", "xml", #"log.format: "xml" is not a log format (logfmt, json)"#),
            ("FERRY_LOG_LEVEL", "loud", #"log.level: "loud" is not a log level"#),
            ("FERRY_USERS_ENV", "MY-USERS", #"users_env: "MY-USERS" is not an environment variable name"#),
            ("FERRY_HOST_KEYS", ",", "host_keys: is empty"),
        ]
        for (variable, value, message) in cases {
            let error = await loadError(environment: [variable: value])
            #expect(error?.message.hasPrefix(message) == true, "\(variable)=\(value): \(String(describing: error))")
            #expect(error?.message.hasSuffix("(from \(variable))") == true, "\(variable)")
        }
    }

    @Test func aListWhereOneValueBelongsIsRefused() async throws {
        let error = await loadError(file: "limits:\n  max_handles: [1, 2]\n")
        #expect(error?.description == "limits.max_handles: expected a single value, not a list or mapping (from FILE)")
    }

    @Test func anUnknownAlgorithmListsTheSupportedOnes() async throws {
        let error = await loadError(file: "algorithms:\n  ciphers: [aes128-ctr, aes128-cbc]\n")
        #expect(error?.code == .unknownAlgorithm)
        #expect(error?.key == "algorithms.ciphers")
        let supported = ServeConfiguration.Algorithms.supportedCiphers.joined(separator: ", ")
        #expect(
            error?.description
                == #"algorithms.ciphers: "aes128-cbc" is not a supported cipher (from FILE); supported: "# + supported
        )
        for (variable, value) in [
            ("FERRY_ALGORITHMS_KEX", "diffie-hellman-group1-sha1"), ("FERRY_ALGORITHMS_MACS", "hmac-md5"),
            ("FERRY_ALGORITHMS_HOST_KEYS", "ssh-dss"),
        ] {
            let error = await loadError(environment: [variable: value])
            #expect(error?.code == .unknownAlgorithm, "\(variable)")
            #expect(error?.message.contains("supported: ") == true)
        }
        let duplicate = await loadError(overrides: ["algorithms.macs": "hmac-sha2-256,hmac-sha2-256"])
        #expect(duplicate?.description == #"algorithms.macs: "hmac-sha2-256" is listed twice (from the command line)"#)
    }

    @Test func anUnknownOverrideKeyIsRefused() async throws {
        let error = await loadError(overrides: ["limits.max_conections": "5"])
        #expect(error?.code == .unknownKey)
        #expect(error?.description == "limits.max_conections is not a configuration key (from the command line)")
    }

    @Test func aMissingOrMalformedFileIsRefused() async throws {
        let missing = "/nonexistent/ferry.yaml"
        do {
            _ = try await ServeConfiguration.load(configFile: missing, environment: [:])
            Issue.record("a missing file loaded")
        } catch let error as ConfigurationError {
            #expect(error.code == .unreadableFile)
            #expect(error.description == "configuration file \(missing): no such file")
        }
        let list = await loadError(file: "- a\n- b\n")
        #expect(list?.code == .unreadableFile)
        let malformed = await loadError(file: "limits: [unclosed\n")
        #expect(malformed?.code == .unreadableFile)
        #expect(malformed?.message.contains("\n") == false)
    }

    @Test func anEmptyFileIsAnEmptyConfiguration() async throws {
        #expect(try await load(file: "") == ServeConfiguration())
        #expect(try await load(file: "# nothing yet\n\n---\n") == ServeConfiguration())
    }

    @Test func theDocumentedExampleParsesBackToTheDefaults() async throws {
        let example = ServeConfiguration.documentedYAML
        #expect(try await load(file: example) == ServeConfiguration())
        for key in ServeConfiguration.keys {
            let leaf = String(key.split(separator: ".").last!)
            #expect(example.contains("\(leaf):"), "\(key)")
        }
        // With a different data directory, the paths commented out in the example follow it.
        let moved = try await load(
            file: example.replacingOccurrences(of: "data_dir: ./ferry-data", with: "data_dir: /d")
        )
        #expect(moved == ServeConfiguration(dataDirectory: "/d"))
    }

    @Test func listenAddresses() {
        typealias Address = ServeConfiguration.ListenAddress
        #expect(Address(parsing: "127.0.0.1:2222") == Address(host: "127.0.0.1", port: 2222))
        #expect(Address(parsing: "[::1]:2222") == Address(host: "::1", port: 2222))
        #expect(Address(parsing: "[fe80::1%eth0]:22") == Address(host: "fe80::1%eth0", port: 22))
        #expect(Address(parsing: "sftp.example.com:0") == Address(host: "sftp.example.com", port: 0))
        for bad in [
            "", "2222", ":2222", "host:", "host:port", "[::1]", "[::1]2222", "::1:22", "[]:22", "a b:1", "h:-1",
        ] {
            #expect(Address(parsing: bad) == nil, "\(bad)")
        }
        #expect(Address(host: "::1", port: 2222).description == "[::1]:2222")
        #expect(Address(host: "0.0.0.0", port: 22).description == "0.0.0.0:22")
    }

    @Test func servicesGetTheirSettings() async throws {
        let configuration = try await load(
            overrides: [
                "limits.max_auth_attempts": "3", "limits.max_sessions_per_connection": "4",
                "limits.login_grace_time": "45s", "limits.max_connections": "9", "limits.max_handles": "12",
                "limits.max_file_size": "1k", "algorithms.host_keys": "ssh-ed25519,ssh-rsa", "ban.failures": "2",
            ]
        )
        let server = configuration.sshServerConfiguration(hostKeys: [])
        #expect(server.connection.role == .server)
        #expect(server.connection.limits.maximumAuthenticationAttempts == 3)
        #expect(server.connection.limits.maximumChannels == 4)
        #expect(server.authenticationTimeout == .seconds(45))
        #expect(server.maximumConnections == 9)
        #expect(server.connection.algorithms.allowSHA1RSASignatures)
        try server.connection.algorithms.validate()
        #expect(configuration.vfsLimits.maximumHandles == 12)
        #expect(configuration.vfsLimits.maximumFileSize == 1024)
        #expect(configuration.addressGuardPolicy.banFailures == 2)
        #expect(configuration.addressGuardPolicy.maximumConnections == 9)
        #expect(!ServeConfiguration().sshAlgorithms.allowSHA1RSASignatures)
    }
}

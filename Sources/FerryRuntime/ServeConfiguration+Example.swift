extension ServeConfiguration {
    /// A complete configuration file: every key with its default value and a comment on what it does.
    ///
    /// Loading it gives exactly ``init(dataDirectory:)``'s defaults. `host_keys` and `storage.root` are commented
    /// out because their defaults follow `data_dir`.
    public static let documentedYAML: String = {
        let defaults = ServeConfiguration()
        let limits = defaults.limits
        let ban = defaults.ban
        func duration(_ value: Duration?) -> String { value.map(ConfigurationValues.format) ?? "0" }
        func list(_ values: [String], indent: String) -> String {
            values.map { "\(indent)- \($0)" }.joined(separator: "\n")
        }
        return """
            # Ferry server configuration (ferry serve --config FILE).
            #
            # Precedence, lowest to highest: these defaults, this file, environment variables, command-line options.
            # Every key has an environment variable: FERRY_ and the key's path in upper case joined by _, e.g.
            # limits.max_connections_per_ip is FERRY_LIMITS_MAX_CONNECTIONS_PER_IP. Lists given in the environment
            # are comma-separated. Durations: 90s, 15m, 2h, 1d, 1h30m, or plain seconds. Sizes: 512k, 20MiB, 1G,
            # or plain bytes (units are powers of 1024).

            # Addresses to listen on, HOST:PORT or [IPV6]:PORT (quoted in YAML: "[::1]:2222"); a list, or several
            # separated by commas.
            listen: \(defaults.listen.map(\.description).joined(separator: ", "))

            # Directory for Ferry's state; host keys and users' files live under it unless set below.
            data_dir: \(defaults.dataDirectory)

            # Private host key files, one per algorithm. Default: DATA_DIR/host_keys/ssh_host_{ed25519,ecdsa,rsa}_key.
            # host_keys:
            \(list(defaults.hostKeys, indent: "#   "))

            storage:
              # Backend for users' files: local (a directory on disk), memory, or memory-object (in memory with
              # object-store semantics). The memory backends lose everything on exit.
              kind: \(defaults.storage.kind.rawValue)
              # Directory of the local backend; each user's files live in ROOT/USERNAME unless the user's home
              # says otherwise. Default: DATA_DIR/home.
              # root: \(defaults.storage.root)

            uploads:
              # Publish an upload under its name only once it is complete (a hidden temporary file, renamed), so an
              # interrupted upload leaves nothing behind.
              atomic: \(defaults.uploads.atomic)

            # SSH algorithms offered, in preference order. The lists below are everything supported.
            algorithms:
              ciphers:
            \(list(defaults.algorithms.ciphers, indent: "    "))
              kex:
            \(list(defaults.algorithms.keyExchange, indent: "    "))
              macs:
            \(list(defaults.algorithms.macs, indent: "    "))
              # Host key signature algorithms; add ssh-rsa to also accept SHA-1 RSA signatures.
              host_keys:
            \(list(defaults.algorithms.hostKeys, indent: "    "))

            limits:
              # Connections served at once, in total and from one address.
              max_connections: \(limits.maximumConnections)
              max_connections_per_ip: \(limits.maximumConnectionsPerAddress)
              # Authentication attempts on one connection before it is closed.
              max_auth_attempts: \(limits.maximumAuthenticationAttempts)
              # Time from connecting to a successful login.
              login_grace_time: \(duration(limits.loginGraceTime))
              # Time without traffic before a connection is closed; 0 for never.
              idle_timeout: \(duration(limits.idleTimeout))
              # Sessions open at once on one connection.
              max_sessions_per_connection: \(limits.maximumSessionsPerConnection)
              # Files and directories open at once in one session.
              max_handles: \(limits.maximumHandles)
              # Largest file an upload may produce; none for no limit.
              max_file_size: \(limits.maximumFileSize.map(ConfigurationValues.format(size:)) ?? "none")

            # Ban an address after repeated authentication failures.
            ban:
              enabled: \(ban.enabled)
              # This many failures within the window ban the address for the duration; a login resets the count.
              failures: \(ban.failures)
              window: \(duration(ban.window))
              duration: \(duration(ban.duration))
              # Addresses and CIDR networks never banned, e.g. [127.0.0.1, 10.0.0.0/8, "::1"]. Loopback is not
              # exempt unless listed.
              exempt: [\(ban.exempt.map(\.description).joined(separator: ", "))]

            # On shutdown, time open sessions get to finish before they are closed.
            shutdown_grace: \(duration(defaults.shutdownGrace))

            log:
              # logfmt or json.
              format: \(defaults.log.format.rawValue)
              # trace, debug, info, notice, warning, error or critical.
              level: \(defaults.log.level.rawValue)

            # Environment variable with users in atmoz/sftp's format: user:pass[:e][:uid[:gid[:dir1,dir2]]], entries
            # separated by spaces or newlines.
            users_env: \(defaults.usersEnvironmentVariable)

            """
    }()
}

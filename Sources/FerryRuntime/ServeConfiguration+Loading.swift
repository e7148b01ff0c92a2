import Configuration
import Foundation
import Logging

extension ServeConfiguration {
    /// Every key, dotted, in the order of ``documentedYAML``.
    public static let keys: [String] = [
        "listen", "data_dir", "host_keys",
        "storage.kind", "storage.root",
        "uploads.atomic",
        "algorithms.ciphers", "algorithms.kex", "algorithms.macs", "algorithms.host_keys",
        "limits.max_connections", "limits.max_connections_per_ip", "limits.max_auth_attempts",
        "limits.login_grace_time", "limits.idle_timeout", "limits.max_sessions_per_connection",
        "limits.max_handles", "limits.max_file_size",
        "ban.enabled", "ban.failures", "ban.window", "ban.duration", "ban.exempt",
        "shutdown_grace",
        "log.format", "log.level",
        "users_env",
    ]

    /// The prefix of every environment variable read: `FERRY_`.
    public static let environmentPrefix = "FERRY_"

    /// The environment variable that sets `key`: `FERRY_` and the key in upper case with `.` as `_`, e.g.
    /// `FERRY_LIMITS_MAX_CONNECTIONS_PER_IP` for `limits.max_connections_per_ip`.
    public static func environmentVariable(for key: String) -> String {
        Self.environmentPrefix + String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// Loads the configuration: the defaults, overridden by the YAML file, overridden by `FERRY_*` environment
    /// variables, overridden by `overrides`.
    ///
    /// Every value is checked; durations and sizes take the forms of ``ConfigurationValues``, lists are YAML
    /// sequences or comma-separated text. Empty values count as unset. `host_keys` and `storage.root`, when not
    /// given, follow `data_dir`.
    ///
    /// - Parameters:
    ///   - configFile: A YAML file whose top level is a mapping, or `nil` for none.
    ///   - environment: The environment to read `FERRY_*` variables from; the process's by default.
    ///   - overrides: Values given on the command line, by dotted key (`limits.idle_timeout`), as text.
    /// - Returns: The complete configuration.
    /// - Throws: ``ConfigurationError`` naming the key, the value and its source.
    public static func load(
        configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: String] = [:]
    ) async throws -> ServeConfiguration {
        for key in overrides.keys.sorted() where !Self.keys.contains(key) {
            throw ConfigurationError(
                .unknownKey,
                key: key,
                source: .commandLine,
                "\(key) is not a configuration key (from the command line)"
            )
        }
        var layers: [ConfigurationLayer] = [
            ConfigurationLayer(
                source: { _ in .commandLine },
                provider: InMemoryProvider(
                    name: "command line",
                    values: Dictionary(
                        uniqueKeysWithValues: overrides.map { key, value in
                            (ConfigurationLayer.configKey(key), ConfigValue(.string(value), isSecret: false))
                        }
                    )
                )
            ),
            ConfigurationLayer(
                source: { .environment(ServeConfiguration.environmentVariable(for: $0)) },
                provider: EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "ferry")
            ),
        ]
        if let configFile {
            layers.append(
                ConfigurationLayer(
                    source: { _ in .file(configFile) },
                    provider: try await Self.fileProvider(configFile),
                    nullIsUnset: true
                )
            )
        }
        return try ConfigurationResolver(layers: layers).configuration()
    }

    /// A provider of the YAML file at `path`; an empty file, or one of comments only, is an empty configuration.
    private static func fileProvider(_ path: String) async throws -> any ConfigProvider {
        func unreadable(_ problem: String) -> ConfigurationError {
            ConfigurationError(.unreadableFile, source: .file(path), "configuration file \(path): \(problem)")
        }
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw unreadable(exists ? "cannot be read" : "no such file")
        }
        let text = String(decoding: data, as: UTF8.self)
        let isEmpty = text.split(whereSeparator: \.isNewline).allSatisfy { line in
            let line = line.trimmingSpaces()
            return line.isEmpty || line.hasPrefix("#") || line == "---" || line == "..."
        }
        if isEmpty {
            return InMemoryProvider(name: path, values: [:])
        }
        do {
            // The path comes through a reader so that no file-path type from a further module is named here.
            let location = ConfigReader(
                provider: InMemoryProvider(values: ["filePath": ConfigValue(.string(path), isSecret: false)])
            )
            return try await FileProvider<YAMLSnapshot>(config: location)
        } catch {
            // Only the first line: parser errors go on to quote the file's text.
            let summary = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init)
            throw unreadable("cannot be parsed: \(summary ?? "malformed YAML")")
        }
    }
}

/// One source of values, queried through its swift-configuration provider.
struct ConfigurationLayer {
    /// The source of the value of a dotted key.
    var source: (String) -> ConfigurationSource
    var provider: any ConfigProvider
    /// Whether `~` and `null` mean unset (YAML's nulls, which reach us as text).
    var nullIsUnset = false

    /// `a.b_c` as the key `["a", "b_c"]`.
    static func configKey(_ dotted: String) -> AbsoluteConfigKey {
        AbsoluteConfigKey(dotted.split(separator: ".").map(String.init))
    }
}

/// Reads each key from the highest-precedence layer that sets it, and turns text into typed, checked values.
///
/// Providers are asked directly, in precedence order — the order a `ConfigReader` over the same providers uses —
/// because every error must say which source the bad value came from.
struct ConfigurationResolver {
    var layers: [ConfigurationLayer]

    /// The text of `key` and where it came from, or `nil` when no layer sets it.
    func text(_ key: String) throws -> (value: String, source: ConfigurationSource)? {
        let configKey = ConfigurationLayer.configKey(key)
        for layer in self.layers {
            let result: LookupResult
            do {
                result = try layer.provider.value(forKey: configKey, type: .string)
            } catch {
                throw ConfigurationError(
                    .invalidValue,
                    key: key,
                    source: layer.source(key),
                    "\(key): expected a single value, not a list or mapping (from \(layer.source(key)))"
                )
            }
            guard case .string(let raw)? = result.value?.content else { continue }
            let value = raw.trimmingSpaces()
            if value.isEmpty || (layer.nullIsUnset && (value == "~" || value == "null")) { continue }
            return (value, layer.source(key))
        }
        return nil
    }

    /// The items of `key`, from a sequence or comma-separated text, trimmed, empty items dropped.
    func list(_ key: String) throws -> (values: [String], source: ConfigurationSource)? {
        let configKey = ConfigurationLayer.configKey(key)
        for layer in self.layers {
            if let result = try? layer.provider.value(forKey: configKey, type: .string) {
                guard case .string(let raw)? = result.value?.content else { continue }
                let value = raw.trimmingSpaces()
                if value.isEmpty || (layer.nullIsUnset && (value == "~" || value == "null")) { continue }
                let items = value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                return (items, layer.source(key))
            }
            let result: LookupResult
            do {
                result = try layer.provider.value(forKey: configKey, type: .stringArray)
            } catch {
                throw ConfigurationError(
                    .invalidValue,
                    key: key,
                    source: layer.source(key),
                    "\(key): expected a list (from \(layer.source(key)))"
                )
            }
            guard case .stringArray(let raw)? = result.value?.content else { continue }
            return (raw.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }, layer.source(key))
        }
        return nil
    }

    /// Parses the text of `key` with `parse`, which returns `nil` for a bad value.
    func value<Value>(_ key: String, _ problem: String, _ parse: (String) -> Value?) throws -> Value? {
        guard let (text, source) = try self.text(key) else { return nil }
        guard let value = parse(text) else { throw ConfigurationError.invalid(key, text, problem, from: source) }
        return value
    }

    func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        try self.value(key, "is not a whole number in \(range.lowerBound)…\(range.upperBound)") { text in
            guard text.allSatisfy(\.isASCIIDigit), let number = Int(text), range.contains(number) else { return nil }
            return number
        }
    }

    /// A duration; `0` is allowed only when `allowingZero`.
    func duration(_ key: String, allowingZero: Bool) throws -> Duration? {
        guard let (text, source) = try self.text(key) else { return nil }
        guard let duration = ConfigurationValues.duration(text) else {
            throw ConfigurationError.invalid(key, text, "is not a duration", from: source)
        }
        if duration == .zero && !allowingZero {
            throw ConfigurationError.invalid(key, text, "must be longer than 0", from: source)
        }
        return duration
    }

    func bool(_ key: String) throws -> Bool? {
        try self.value(key, "is not a boolean (true or false)", ConfigurationValues.bool)
    }

    /// A non-empty list of algorithm names, each one of `supported`.
    func algorithms(_ key: String, kind: String, supported: [String]) throws -> [String]? {
        guard let (names, source) = try self.list(key) else { return nil }
        guard !names.isEmpty else {
            throw ConfigurationError(.invalidValue, key: key, source: source, "\(key): is empty (from \(source))")
        }
        for (index, name) in names.enumerated() {
            guard supported.contains(name) else {
                throw ConfigurationError(
                    .unknownAlgorithm,
                    key: key,
                    source: source,
                    "\(key): \(ConfigurationError.quoted(name)) is not a supported \(kind) (from \(source)); supported: "
                        + supported.joined(separator: ", ")
                )
            }
            guard !names[..<index].contains(name) else {
                throw ConfigurationError.invalid(key, name, "is listed twice", from: source)
            }
        }
        return names
    }

    /// Builds the configuration, key by key, over the defaults.
    func configuration() throws -> ServeConfiguration {
        let dataDirectory = try self.text("data_dir")?.value ?? ServeConfiguration.defaultDataDirectory
        var configuration = ServeConfiguration(dataDirectory: dataDirectory)

        if let (items, source) = try self.list("listen") {
            guard !items.isEmpty else {
                throw ConfigurationError(
                    .invalidValue,
                    key: "listen",
                    source: source,
                    "listen: is empty (from \(source))"
                )
            }
            configuration.listen = try items.map { item in
                guard let address = ServeConfiguration.ListenAddress(parsing: item) else {
                    throw ConfigurationError.invalid(
                        "listen",
                        item,
                        "is not HOST:PORT or [IPV6]:PORT with a port in 0…65535",
                        from: source
                    )
                }
                return address
            }
        }
        if let (paths, source) = try self.list("host_keys") {
            guard !paths.isEmpty else {
                throw ConfigurationError(
                    .invalidValue,
                    key: "host_keys",
                    source: source,
                    "host_keys: is empty; at least one host key is needed (from \(source))"
                )
            }
            configuration.hostKeys = paths
        }

        let kinds = ServeConfiguration.StorageKind.allCases.map(\.rawValue).joined(separator: ", ")
        if let kind = try self.value(
            "storage.kind",
            "is not a storage kind (\(kinds))",
            {
                ServeConfiguration.StorageKind(rawValue: $0.lowercased())
            }
        ) {
            configuration.storage.kind = kind
        }
        if let root = try self.text("storage.root")?.value {
            configuration.storage.root = root
        }
        if let atomic = try self.bool("uploads.atomic") {
            configuration.uploads.atomic = atomic
        }

        typealias Supported = ServeConfiguration.Algorithms
        if let names = try self.algorithms("algorithms.ciphers", kind: "cipher", supported: Supported.supportedCiphers)
        {
            configuration.algorithms.ciphers = names
        }
        if let names = try self.algorithms(
            "algorithms.kex",
            kind: "key exchange method",
            supported: Supported.supportedKeyExchange
        ) {
            configuration.algorithms.keyExchange = names
        }
        if let names = try self.algorithms("algorithms.macs", kind: "MAC", supported: Supported.supportedMACs) {
            configuration.algorithms.macs = names
        }
        if let names = try self.algorithms(
            "algorithms.host_keys",
            kind: "host key algorithm",
            supported: Supported.supportedHostKeys
        ) {
            configuration.algorithms.hostKeys = names
        }

        try self.limits(&configuration.limits)
        try self.ban(&configuration.ban)

        if let grace = try self.duration("shutdown_grace", allowingZero: true) {
            configuration.shutdownGrace = grace
        }
        let formats = ServeConfiguration.LogFormat.allCases.map(\.rawValue).joined(separator: ", ")
        if let format = try self.value(
            "log.format",
            "is not a log format (\(formats))",
            {
                ServeConfiguration.LogFormat(rawValue: $0.lowercased())
            }
        ) {
            configuration.log.format = format
        }
        let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
        if let level = try self.value(
            "log.level",
            "is not a log level (\(levels))",
            {
                Logger.Level(rawValue: $0.lowercased())
            }
        ) {
            configuration.log.level = level
        }
        if let name = try self.value(
            "users_env",
            "is not an environment variable name",
            { name in
                let valid =
                    name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                    && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
                return valid ? name : nil
            }
        ) {
            configuration.usersEnvironmentVariable = name
        }
        return configuration
    }

    private func limits(_ limits: inout ServeConfiguration.Limits) throws {
        if let value = try self.integer("limits.max_connections", in: 1...1_000_000) {
            limits.maximumConnections = value
        }
        if let value = try self.integer("limits.max_connections_per_ip", in: 1...1_000_000) {
            limits.maximumConnectionsPerAddress = value
        }
        if let value = try self.integer("limits.max_auth_attempts", in: 1...100) {
            limits.maximumAuthenticationAttempts = value
        }
        if let value = try self.duration("limits.login_grace_time", allowingZero: false) {
            limits.loginGraceTime = value
        }
        if let value = try self.duration("limits.idle_timeout", allowingZero: true) {
            limits.idleTimeout = value == .zero ? nil : value
        }
        if let value = try self.integer("limits.max_sessions_per_connection", in: 1...1024) {
            limits.maximumSessionsPerConnection = value
        }
        if let value = try self.integer("limits.max_handles", in: 1...65536) {
            limits.maximumHandles = value
        }
        if let value = try self.value(
            "limits.max_file_size",
            "is not a size or none",
            {
                text -> UInt64?? in
                if ["none", "unlimited", "0"].contains(text.lowercased()) { return .some(nil) }
                guard let size = ConfigurationValues.size(text) else { return .none }
                return .some(size)
            }
        ) {
            limits.maximumFileSize = value
        }
    }

    private func ban(_ ban: inout ServeConfiguration.Ban) throws {
        if let value = try self.bool("ban.enabled") {
            ban.enabled = value
        }
        if let value = try self.integer("ban.failures", in: 1...1000) {
            ban.failures = value
        }
        if let value = try self.duration("ban.window", allowingZero: false) {
            ban.window = value
        }
        if let value = try self.duration("ban.duration", allowingZero: false) {
            ban.duration = value
        }
        if let (items, source) = try self.list("ban.exempt") {
            ban.exempt = try items.map { item in
                guard let range = AddressRange(item) else {
                    throw ConfigurationError.invalid(
                        "ban.exempt",
                        item,
                        "is not an IP address or CIDR range",
                        from: source
                    )
                }
                return range
            }
        }
    }
}

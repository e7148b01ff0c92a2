import FerryRuntime
import Foundation

/// A temporary YAML file holding `text`, removed after `body`.
func withConfigFile<Result>(
    _ text: String,
    _ body: (String) async throws -> Result
) async throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("ferry-config-\(UUID().uuidString).yaml").path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Loads a configuration from exactly the given sources (never the process's environment).
func load(
    file: String? = nil,
    environment: [String: String] = [:],
    overrides: [String: String] = [:]
) async throws -> ServeConfiguration {
    if let file {
        return try await withConfigFile(file) { path in
            try await ServeConfiguration.load(configFile: path, environment: environment, overrides: overrides)
        }
    }
    return try await ServeConfiguration.load(configFile: nil, environment: environment, overrides: overrides)
}

/// The error `load` throws for the given sources, with the file's path replaced by `FILE` in the message.
func loadError(
    file: String? = nil,
    environment: [String: String] = [:],
    overrides: [String: String] = [:]
) async -> ConfigurationError? {
    do {
        if let file {
            return try await withConfigFile(file) { path in
                do {
                    _ = try await ServeConfiguration.load(
                        configFile: path,
                        environment: environment,
                        overrides: overrides
                    )
                    return nil
                } catch var error as ConfigurationError {
                    error.message = error.message.replacingOccurrences(of: path, with: "FILE")
                    return error
                }
            }
        }
        _ = try await ServeConfiguration.load(configFile: nil, environment: environment, overrides: overrides)
        return nil
    } catch {
        return error as? ConfigurationError
    }
}

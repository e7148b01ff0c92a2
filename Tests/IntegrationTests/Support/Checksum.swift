// SHA-256 digests (via `sha256sum`) and quick generation of large test files.
//
//     try await TestData.writeDeterministic(size: 256 << 20, seed: 1, to: path)  // 256 MiB
//     let digest = try await Checksum.sha256(file: path)                        // lowercase hex
//
// `TestData.writeDeterministic` produces exactly the bytes the Python client peers send for
// `--send-bytes N --seed S`, so a test can compare digests across programs. `TestData.writeRandom`
// is `head -c N /dev/urandom`.

import Foundation

enum Checksum {
    /// Lowercase hex SHA-256 of a file's contents.
    static func sha256(file path: String) async throws -> String {
        let result = try await TestProcess.run("sha256sum", ["-b", "--", path], timeout: .seconds(600))
        return try firstField(of: result.requireSuccess())
    }

    /// Lowercase hex SHA-256 of `data`.
    static func sha256(_ data: Data) async throws -> String {
        let result = try await TestProcess.run("sha256sum", ["-b"], stdin: .data(data), timeout: .seconds(600))
        return try firstField(of: result.requireSuccess())
    }

    /// SHA-256 of no bytes at all.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    private static func firstField(of result: ProcessResult) throws -> String {
        guard let field = result.stdoutText.split(separator: " ").first, field.count == 64 else {
            throw TestProcessError(reason: .failed, command: result.command, stdout: result.stdoutText)
        }
        return String(field)
    }
}

enum TestData {
    /// Writes `size` bytes from /dev/urandom to `path` (replacing it).
    static func writeRandom(size: Int, to path: String) async throws {
        try await TestProcess.run(
            "head",
            ["-c", String(size), "/dev/urandom"],
            stdout: .file(path),
            timeout: .seconds(600)
        )
        .requireSuccess()
    }

    /// Writes `size` deterministic pseudo-random bytes for `seed` to `path` (replacing it); the same
    /// stream as the client peers' `--send-bytes size --seed seed` (AES-128-CTR keystream).
    static func writeDeterministic(size: Int, seed: Int = 0, to path: String) async throws {
        try await PythonPeer.run(
            .datagen,
            ["--bytes", String(size), "--seed", String(seed), "--output", path],
            timeout: .seconds(600)
        ).requireSuccess()
    }

    /// The deterministic stream for `seed`, in memory (keep it small).
    static func deterministic(size: Int, seed: Int = 0) async throws -> Data {
        try await PythonPeer.run(.datagen, ["--bytes", String(size), "--seed", String(seed)], timeout: .seconds(600))
            .requireSuccess().stdout
    }
}

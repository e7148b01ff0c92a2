import Foundation
import NIOCore
import Testing

/// Decodes hexadecimal text (spaces and newlines ignored) into bytes.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != 0x20 && $0 != 0x0A })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)!
    }
}

/// Encodes bytes as lowercase hexadecimal.
func hexString<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    bytes.map { String(format: "%02x", $0) }.joined()
}

/// A buffer holding `bytes`.
func buffer<Bytes: Sequence>(_ bytes: Bytes) -> ByteBuffer where Bytes.Element == UInt8 {
    ByteBuffer(bytes: Array(bytes))
}

/// What an external tool printed.
struct ToolResult {
    var status: Int32
    var output: String
    var errorOutput: String

    /// The first two whitespace-separated fields of the output: "keytype base64" for a public key line.
    var keyFields: String {
        self.output.split(whereSeparator: \.isWhitespace).prefix(2).joined(separator: " ")
    }
}

/// Runs external tools for interoperability tests.
enum Tool {
    /// The full path of an executable on PATH (or in the usual places), if installed.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/local/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var hasOpenSSL: Bool { self.find("openssl") != nil }

    /// Runs `ssh-keygen`; records a failure naming the missing package when it is not installed.
    static func sshKeygen(_ arguments: [String], input: String? = nil) throws -> ToolResult {
        let path = try #require(
            self.find("ssh-keygen"),
            "ssh-keygen is required for this test; install it with: apt-get install -y openssh-client"
        )
        return try self.run(path, arguments, input: input)
    }

    /// Runs `openssl`.
    static func openssl(_ arguments: [String]) throws -> ToolResult {
        let path = try #require(self.find("openssl"), "openssl is required for this test")
        return try self.run(path, arguments, input: nil)
    }

    static func run(_ path: String, _ arguments: [String], input: String?) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let errorOutput = Pipe()
        let inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
        }
        try inputPipe.fileHandleForWriting.close()
        // The tools used here print a few lines at most, far below a pipe's capacity, so reading the two
        // pipes one after the other cannot stall the child.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errorOutput.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            errorOutput: String(decoding: errorData, as: UTF8.self)
        )
    }
}

/// A directory removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        self.path = NSTemporaryDirectory() + "/sshkeys-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    /// The path of a file in the directory.
    func file(_ name: String) -> String { self.path + "/" + name }

    /// Writes a file readable only by its owner (ssh-keygen refuses private keys others can read).
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let path = self.file(name)
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(contents.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }

    /// Reads a file as text.
    func read(_ name: String) throws -> String {
        try String(contentsOfFile: self.file(name), encoding: .utf8)
    }
}

import Crypto
import Foundation

/// SHA-256 of byte streams and files, as lowercase hex, for event bodies that describe a file's content.
public struct ContentDigest: Sendable {
    private var hasher = SHA256()

    /// Starts an empty digest.
    public init() {}

    /// Adds bytes.
    ///
    /// - Parameter bytes: The next bytes of the content.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.hasher.update(bufferPointer: bytes)
    }

    /// Adds bytes.
    ///
    /// - Parameter bytes: The next bytes of the content.
    public mutating func update(_ bytes: [UInt8]) {
        self.hasher.update(data: bytes)
    }

    /// The digest of everything added, as 64 lowercase hex digits.
    ///
    /// - Returns: The hex digest.
    public func finalize() -> String {
        WebhookSignature.hex(Array(self.hasher.finalize()))
    }

    /// The SHA-256 of the file at `path`, read in 1 MiB pieces.
    ///
    /// - Parameter path: The file.
    /// - Returns: 64 lowercase hex digits.
    /// - Throws: When the file cannot be read.
    public static func sha256(ofFileAtPath path: String) throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var digest = ContentDigest()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { digest.update($0) }
        }
        return digest.finalize()
    }
}

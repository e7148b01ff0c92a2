import FerryCore
import NIOCore
import Storage

/// Parses a path written in a check.
func path(_ text: String) throws -> FerryPath {
    try FerryPath(parsing: text)
}

/// A buffer holding the UTF-8 bytes of `text`.
func bytes(_ text: String) -> ByteBuffer {
    ByteBuffer(string: text)
}

/// `count` pseudo-random bytes that do not repeat at short periods, so misplaced chunks show.
func pattern(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> ByteBuffer {
    var state = seed | 1
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
        var index = 0
        while index < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            var word = state
            for _ in 0..<min(8, count - index) {
                storage[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        initialized = count
    }
    return ByteBuffer(bytes: bytes)
}

/// Splits `buffer` into chunks whose sizes cycle through `sizes`.
func chunks(of buffer: ByteBuffer, sizes: [Int]) -> [ByteBuffer] {
    var remaining = buffer
    var result: [ByteBuffer] = []
    var index = 0
    while remaining.readableBytes > 0 {
        let size = min(sizes[index % sizes.count], remaining.readableBytes)
        result.append(remaining.readSlice(length: size)!)
        index += 1
    }
    return result
}

/// Writes a small file from text.
func writeText(_ storage: any Storage, _ text: String, to file: String) async throws {
    try await storage.write(try path(file), bytes: bytes(text))
}

/// Reads a whole file as text.
func readText(_ storage: any Storage, _ file: String) async throws -> String {
    String(buffer: try await storage.readAll(try path(file)))
}

/// The names in a directory, in listing order.
func names(_ storage: any Storage, _ directory: String) async throws -> [String] {
    try await storage.listAll(try path(directory)).map(\.name)
}

/// The error a ``FailingSequence`` throws.
struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "injected failure" }
}

/// Yields some buffers, then throws ``InjectedFailure``: an upload that breaks off.
struct FailingSequence: AsyncSequence, Sendable {
    let buffers: [ByteBuffer]

    func makeAsyncIterator() -> Iterator {
        Iterator(remaining: self.buffers[...])
    }

    struct Iterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>

        mutating func next() async throws -> ByteBuffer? {
            guard let next = self.remaining.popFirst() else {
                throw InjectedFailure()
            }
            return next
        }
    }
}

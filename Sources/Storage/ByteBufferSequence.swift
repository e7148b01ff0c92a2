import NIOCore

/// An asynchronous sequence over buffers already in memory, for passing known bytes to
/// ``Storage/write(_:from:)``.
public struct ByteBufferSequence: AsyncSequence, Sendable {
    /// The buffers, in order.
    public var buffers: [ByteBuffer]

    /// Creates a sequence of buffers.
    ///
    /// - Parameter buffers: The buffers, in order.
    public init(_ buffers: [ByteBuffer]) {
        self.buffers = buffers
    }

    /// Creates a sequence of one buffer.
    ///
    /// - Parameter buffer: The buffer.
    public init(_ buffer: ByteBuffer) {
        self.buffers = [buffer]
    }

    /// Returns an iterator over the buffers.
    ///
    /// - Returns: The iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.buffers.makeIterator())
    }

    /// Iterates over a ``ByteBufferSequence``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[ByteBuffer]>

        /// Returns the next buffer, or `nil` after the last.
        ///
        /// - Returns: The next buffer.
        public mutating func next() async -> ByteBuffer? {
            self.base.next()
        }
    }
}

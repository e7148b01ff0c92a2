/// Bounds on what one session may hold and do.
public struct VFSLimits: Sendable, Hashable {
    /// The most handles open at once.
    public var maximumHandles: Int
    /// The largest file an upload may produce, in bytes; `nil` for no limit.
    public var maximumFileSize: UInt64?
    /// The most bytes one read returns.
    public var maximumReadSize: Int
    /// For backends that take uploads only in sequence: how far beyond the next expected byte out-of-order
    /// writes are buffered before further writes wait.
    public var reorderWindow: Int

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - maximumHandles: The most handles open at once.
    ///   - maximumFileSize: The largest file an upload may produce, or `nil`.
    ///   - maximumReadSize: The most bytes one read returns.
    ///   - reorderWindow: The reorder buffer of sequential uploads, in bytes.
    public init(
        maximumHandles: Int = 256,
        maximumFileSize: UInt64? = nil,
        maximumReadSize: Int = 256 * 1024,
        reorderWindow: Int = 8 * 1024 * 1024
    ) {
        self.maximumHandles = maximumHandles
        self.maximumFileSize = maximumFileSize
        self.maximumReadSize = maximumReadSize
        self.reorderWindow = reorderWindow
    }
}

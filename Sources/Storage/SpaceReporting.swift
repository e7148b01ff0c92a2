import FerryCore

/// A backend that can tell how much room it has, as `statvfs` does.
public protocol SpaceReporting: Storage {
    /// Reports the space of the file system holding `path`.
    ///
    /// - Parameter path: Any existing entry; backends with one pool of space ignore it.
    /// - Returns: Block and inode counts.
    /// - Throws: ``FerryError`` (`notFound`…).
    func spaceReport(for path: FerryPath) async throws -> SpaceReport
}

/// Space figures in the shape of `statvfs` (and SFTP's `statvfs@openssh.com`).
public struct SpaceReport: Sendable, Hashable {
    /// The unit of the block counts, in bytes.
    public var blockSize: UInt64
    /// All blocks.
    public var totalBlocks: UInt64
    /// Free blocks.
    public var freeBlocks: UInt64
    /// Free blocks an unprivileged user may use.
    public var availableBlocks: UInt64
    /// All inodes (file slots), or 0 if unlimited.
    public var totalFiles: UInt64
    /// Free inodes.
    public var freeFiles: UInt64
    /// Free inodes an unprivileged user may use.
    public var availableFiles: UInt64
    /// The longest accepted name, in bytes.
    public var maximumNameLength: UInt64

    /// Creates a report.
    ///
    /// - Parameters:
    ///   - blockSize: The unit of the block counts, in bytes.
    ///   - totalBlocks: All blocks.
    ///   - freeBlocks: Free blocks.
    ///   - availableBlocks: Free blocks for unprivileged users.
    ///   - totalFiles: All inodes.
    ///   - freeFiles: Free inodes.
    ///   - availableFiles: Free inodes for unprivileged users.
    ///   - maximumNameLength: The longest accepted name in bytes.
    public init(
        blockSize: UInt64,
        totalBlocks: UInt64,
        freeBlocks: UInt64,
        availableBlocks: UInt64,
        totalFiles: UInt64 = 0,
        freeFiles: UInt64 = 0,
        availableFiles: UInt64 = 0,
        maximumNameLength: UInt64 = 255
    ) {
        self.blockSize = blockSize
        self.totalBlocks = totalBlocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.totalFiles = totalFiles
        self.freeFiles = freeFiles
        self.availableFiles = availableFiles
        self.maximumNameLength = maximumNameLength
    }

    /// All bytes: `totalBlocks × blockSize`.
    public var totalBytes: UInt64 { self.totalBlocks.multipliedReportingOverflow(by: self.blockSize).partialValue }
    /// Bytes an unprivileged user may still use: `availableBlocks × blockSize`.
    public var availableBytes: UInt64 {
        self.availableBlocks.multipliedReportingOverflow(by: self.blockSize).partialValue
    }
}

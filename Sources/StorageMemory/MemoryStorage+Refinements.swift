import FerryCore
import NIOCore
import Storage

extension MemoryStorage {
    /// Starts a file that appears at `path` when published. See ``RandomAccessWriting``.
    ///
    /// - Parameters:
    ///   - path: Where the file goes.
    ///   - initialContents: Start empty or from the current file.
    /// - Returns: The handle.
    /// - Throws: ``FerryError`` (`isADirectory`, `notFound`…).
    public func openForWriting(
        _ path: FerryPath,
        initialContents: InitialContents
    ) async throws
        -> any RandomAccessWriteHandle
    {
        let start = try self.engine.withTree { tree in
            try tree.checkWritable(path)
            guard initialContents == .existing else { return ByteBuffer() }
            guard let node = try? tree.node(at: path, followFinal: true), node.kind == .file else {
                return ByteBuffer()
            }
            return node.data
        }
        return MemoryWriteHandle(engine: self.engine, path: path, data: start)
    }

    /// Moves an entry. See ``ServerSideMoving``.
    ///
    /// - Parameters:
    ///   - source: The entry.
    ///   - destination: Its new path.
    ///   - ifExists: Replace or fail on an existing destination.
    /// - Throws: ``FerryError``.
    public func move(
        _ source: FerryPath,
        to destination: FerryPath,
        ifExists: DestinationConflictPolicy
    )
        async throws
    {
        try self.engine.withTree { try $0.move(source, to: destination, ifExists: ifExists) }
    }

    /// Copies a file. See ``ServerSideCopying``.
    ///
    /// - Parameters:
    ///   - source: The file.
    ///   - destination: Where the copy goes.
    ///   - ifExists: Replace or fail on an existing destination.
    /// - Throws: ``FerryError``.
    public func copy(
        _ source: FerryPath,
        to destination: FerryPath,
        ifExists: DestinationConflictPolicy
    )
        async throws
    {
        try self.engine.withTree { try $0.copy(source, to: destination, ifExists: ifExists) }
    }

    /// Creates a symbolic link. See ``Symlinking``.
    ///
    /// - Parameters:
    ///   - path: Where the link goes.
    ///   - target: What it points to.
    /// - Throws: ``FerryError``.
    public func createSymlink(at path: FerryPath, target: String) async throws {
        try self.engine.withTree { try $0.createSymlink(at: path, target: target) }
    }

    /// Returns a symbolic link's target. See ``Symlinking``.
    ///
    /// - Parameter path: The link.
    /// - Returns: Its target.
    /// - Throws: ``FerryError``.
    public func readSymlink(_ path: FerryPath) async throws -> String {
        try self.engine.withTree { try $0.readSymlink(path) }
    }

    /// Returns attributes, following symbolic links inside the tree. See ``Symlinking``.
    ///
    /// - Parameter path: The entry.
    /// - Returns: The attributes of what the path finally names.
    /// - Throws: ``FerryError``.
    public func attributesFollowingSymlinks(of path: FerryPath) async throws -> FileAttributes {
        try self.engine.withTree { try $0.attributes(of: path, followFinal: true) }
    }

    /// Creates a hard link. See ``HardLinking``.
    ///
    /// - Parameters:
    ///   - path: The new name.
    ///   - existing: The file it names.
    /// - Throws: ``FerryError``.
    public func createHardLink(at path: FerryPath, to existing: FerryPath) async throws {
        try self.engine.withTree { try $0.createHardLink(at: path, to: existing) }
    }

    /// Changes permission bits. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - permissions: The new bits.
    /// - Throws: ``FerryError``.
    public func setPermissions(_ path: FerryPath, to permissions: FilePermissions) async throws {
        try self.engine.withTree { try $0.setPermissions(path, to: permissions) }
    }

    /// Changes owner and group. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - uid: The new owner, or `nil`.
    ///   - gid: The new group, or `nil`.
    /// - Throws: ``FerryError``.
    public func setOwner(_ path: FerryPath, uid: UInt32?, gid: UInt32?) async throws {
        try self.engine.withTree { try $0.setOwner(path, uid: uid, gid: gid) }
    }

    /// Changes times. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - accessTime: The new access time, or `nil`.
    ///   - modificationTime: The new modification time, or `nil`.
    /// - Throws: ``FerryError``.
    public func setTimes(
        _ path: FerryPath,
        accessTime: FileTimestamp?,
        modificationTime: FileTimestamp?
    )
        async throws
    {
        try self.engine.withTree { try $0.setTimes(path, accessTime: accessTime, modificationTime: modificationTime) }
    }

    /// Truncates or extends a file. See ``AttributeSetting``.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - size: The new size.
    /// - Throws: ``FerryError``.
    public func truncate(_ path: FerryPath, to size: UInt64) async throws {
        try self.engine.withTree { try $0.truncate(path, to: size) }
    }

    /// Reports capacity and use. See ``SpaceReporting``.
    ///
    /// - Parameter path: Ignored: the tree has one pool of space.
    /// - Returns: The figures.
    /// - Throws: Never.
    public func spaceReport(for path: FerryPath) async throws -> SpaceReport {
        try self.engine.withTree { $0.spaceReport() }
    }
}

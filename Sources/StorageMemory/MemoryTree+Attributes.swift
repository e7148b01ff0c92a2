import FerryCore
import NIOCore
import Storage

extension MemoryTree {
    func setPermissions(_ path: FerryPath, to permissions: FilePermissions) throws {
        let node = try self.node(at: path, followFinal: false)
        guard node.kind != .symlink else {
            throw FerryError(.unsupported, "symbolic links have no permissions of their own")
        }
        node.permissions = permissions
    }

    func setOwner(_ path: FerryPath, uid: UInt32?, gid: UInt32?) throws {
        let node = try self.node(at: path, followFinal: false)
        if let uid { node.uid = uid }
        if let gid { node.gid = gid }
    }

    func setTimes(_ path: FerryPath, accessTime: FileTimestamp?, modificationTime: FileTimestamp?) throws {
        let node = try self.node(at: path, followFinal: false)
        if let accessTime { node.accessTime = accessTime }
        if let modificationTime { node.modificationTime = modificationTime }
    }

    mutating func truncate(_ path: FerryPath, to size: UInt64) throws {
        let node = try self.node(at: path, followFinal: true)
        guard node.kind != .directory else {
            throw FerryError(.isADirectory, "\(path) is a directory")
        }
        guard node.kind == .file else {
            throw FerryError(.unsupported, "\(path) is not a regular file")
        }
        try self.checkSpace(adding: size, removing: node.size)
        let oldSize = node.size
        node.data.resize(to: Int(size))
        self.usedBytes = self.usedBytes - min(self.usedBytes, oldSize) + size
        node.modificationTime = self.clock()
    }

    func spaceReport() -> SpaceReport {
        let blockSize: UInt64 = 4096
        let total = self.capacity ?? (1 << 40)
        let totalBlocks = total / blockSize
        let usedBlocks = (self.usedBytes + blockSize - 1) / blockSize
        let free = totalBlocks - min(totalBlocks, usedBlocks)
        return SpaceReport(blockSize: blockSize, totalBlocks: totalBlocks, freeBlocks: free, availableBlocks: free)
    }
}

extension ByteBuffer {
    /// Cuts the readable bytes to `size`, or extends them with zeros.
    mutating func resize(to size: Int) {
        if size <= self.readableBytes {
            self.moveWriterIndex(to: self.readerIndex + size)
        } else {
            self.writeRepeatingByte(0, count: size - self.readableBytes)
        }
    }
}

import FerryCore
import NIOCore

extension MemoryTree {
    /// Puts a complete file under `path`, replacing a non-directory that was there.
    mutating func commitFile(_ path: FerryPath, data: ByteBuffer) throws {
        let chain = try self.parentChain(of: path, creatingParents: true)
        let parent = chain[chain.count - 1]
        let key = NameKey(path.name!)
        let existing = parent.children[key]
        if let existing, existing.kind == .directory {
            throw FerryError(.isADirectory, "\(path) is a directory")
        }
        let replacedBytes = existing.map { $0.kind == .file && $0.linkCount == 1 ? $0.size : 0 } ?? 0
        try self.checkSpace(adding: UInt64(data.readableBytes), removing: replacedBytes)
        let node = self.makeNode(.file)
        node.data = data
        if let existing, existing.kind == .file {
            node.permissions = existing.permissions
        }
        if let existing {
            self.unlink(existing)
        }
        parent.children[key] = node
        self.usedBytes += node.size
        self.touch(parent)
    }

    mutating func makeDirectory(_ path: FerryPath) throws {
        if path.isRoot {
            throw FerryError(.alreadyExists, "/ exists")
        }
        let chain = try self.parentChain(of: path, creatingParents: true)
        let parent = chain[chain.count - 1]
        let key = NameKey(path.name!)
        if parent.children[key] != nil {
            throw FerryError(.alreadyExists, "\(path) exists")
        }
        parent.children[key] = self.makeNode(.directory)
        self.touch(parent)
    }

    mutating func removeDirectory(_ path: FerryPath) throws {
        if path.isRoot {
            throw FerryError(.permissionDenied, "the root cannot be removed")
        }
        let chain = try self.parentChain(of: path)
        let parent = chain[chain.count - 1]
        let key = NameKey(path.name!)
        guard let node = parent.children[key] else {
            throw FerryError(.notFound, "no such directory: \(path)")
        }
        guard node.kind == .directory else {
            throw FerryError(.notADirectory, "\(path) is not a directory")
        }
        guard node.children.isEmpty else {
            throw FerryError(.directoryNotEmpty, "\(path) is not empty")
        }
        parent.children[key] = nil
        self.touch(parent)
        self.pruneImplicitDirectories(chain)
    }

    mutating func removeFile(_ path: FerryPath) throws {
        if path.isRoot {
            throw FerryError(.isADirectory, "/ is a directory")
        }
        let chain = try self.parentChain(of: path)
        let parent = chain[chain.count - 1]
        let key = NameKey(path.name!)
        guard let node = parent.children[key] else {
            throw FerryError(.notFound, "no such file: \(path)")
        }
        guard node.kind != .directory else {
            throw FerryError(.isADirectory, "\(path) is a directory")
        }
        parent.children[key] = nil
        self.unlink(node)
        self.touch(parent)
        self.pruneImplicitDirectories(chain)
    }
}

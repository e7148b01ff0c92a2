import FerryCore
import NIOCore
import Storage

extension MemoryTree {
    func attributes(of node: MemoryNode) -> FileAttributes {
        let objectStore = self.semantics == .objectStore
        return FileAttributes(
            kind: node.kind,
            size: node.size,
            permissions: objectStore ? nil : node.permissions,
            uid: objectStore ? nil : node.uid,
            gid: objectStore ? nil : node.gid,
            modificationTime: objectStore && node.kind == .directory ? nil : node.modificationTime,
            accessTime: objectStore ? nil : node.accessTime,
            symlinkTarget: node.kind == .symlink ? node.target : nil
        )
    }

    func attributes(of path: FerryPath, followFinal: Bool) throws -> FileAttributes {
        self.attributes(of: try self.node(at: path, followFinal: followFinal))
    }

    func list(_ path: FerryPath, pageSize: Int, after continuation: ListingContinuation?) throws -> DirectoryPage {
        guard pageSize > 0 else {
            throw FerryError(.invalidArgument, "page size must be positive")
        }
        let directory = try self.node(at: path, followFinal: true)
        guard directory.kind == .directory else {
            throw FerryError(.notADirectory, "\(path) is not a directory")
        }
        // Only the names after the continuation are sorted, so paging through a large directory sorts less
        // and less.
        var keys: [NameKey]
        if let continuation {
            let last = NameKey(continuation.token)
            keys = directory.children.keys.filter { $0 > last }
        } else {
            keys = Array(directory.children.keys)
        }
        keys.sort()
        let page = keys.prefix(pageSize)
        let entries = page.map { FileInfo(name: $0.name, attributes: self.attributes(of: directory.children[$0]!)) }
        let next = keys.count > pageSize ? ListingContinuation(token: page.last!.name) : nil
        return DirectoryPage(entries: entries, continuation: next)
    }

    func read(_ path: FerryPath, at offset: UInt64, count: Int) throws -> ByteBuffer {
        guard count >= 0 else {
            throw FerryError(.invalidArgument, "negative read count")
        }
        let node = try self.node(at: path, followFinal: true)
        switch node.kind {
        case .file:
            break
        case .directory:
            throw FerryError(.isADirectory, "\(path) is a directory")
        case .symlink, .other:
            throw FerryError(.unsupported, "\(path) is not a regular file")
        }
        let size = UInt64(node.data.readableBytes)
        guard offset < size else { return ByteBuffer() }
        let length = Int(min(UInt64(count), size - offset))
        return node.data.getSlice(at: node.data.readerIndex + Int(offset), length: length)!
    }

    /// Fails early if a file could not be written at `path`, before the caller collects its contents.
    func checkWritable(_ path: FerryPath) throws {
        if path.isRoot {
            throw FerryError(.isADirectory, "/ is a directory")
        }
        if self.semantics == .objectStore {
            // Parents appear on demand; only an existing directory in the way stops the write.
            if let chain = try? self.walk(path.components, followFinal: false),
                chain[chain.count - 1].kind == .directory
            {
                throw FerryError(.isADirectory, "\(path) is a directory")
            }
            return
        }
        let parent = try self.parentChain(of: path).last!
        if let existing = parent.children[NameKey(path.name!)], existing.kind == .directory {
            throw FerryError(.isADirectory, "\(path) is a directory")
        }
    }
}

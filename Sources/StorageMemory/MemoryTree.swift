import FerryCore
import NIOCore

/// The state of an in-memory backend: the tree, its accounting and its semantics.
///
/// All operations are synchronous and run under the owner's lock.
struct MemoryTree {
    /// How directories behave.
    enum Semantics {
        /// Real directories, symbolic links, hard links, POSIX rename.
        case posix
        /// Directories are prefixes (implicit, or explicit markers); parents appear on demand.
        case objectStore
    }

    let semantics: Semantics
    let root: MemoryNode
    let capacity: UInt64?
    let uid: UInt32
    let gid: UInt32
    let clock: @Sendable () -> FileTimestamp
    /// Bytes held by files.
    var usedBytes: UInt64 = 0

    /// The largest file the tree accepts when it has no capacity.
    static let maximumFileSize: UInt64 = 1 << 34
    /// The most symbolic links one resolution follows.
    static let maximumLinksFollowed = 40

    init(
        semantics: Semantics,
        capacity: UInt64?,
        uid: UInt32,
        gid: UInt32,
        clock: @escaping @Sendable () -> FileTimestamp
    ) {
        self.semantics = semantics
        self.capacity = capacity
        self.uid = uid
        self.gid = gid
        self.clock = clock
        self.root = MemoryNode(kind: .directory, permissions: 0o755, uid: uid, gid: gid, time: clock())
    }

    func makeNode(_ kind: FileKind) -> MemoryNode {
        let permissions: FilePermissions = kind == .directory ? 0o755 : (kind == .symlink ? 0o777 : 0o644)
        return MemoryNode(kind: kind, permissions: permissions, uid: self.uid, gid: self.gid, time: self.clock())
    }

    /// Resolves names from the root, following symbolic links (all of them but a final one unless
    /// `followFinal`) as long as the resolution stays inside the tree.
    ///
    /// - Returns: The chain of nodes from the root to the named node, both included.
    func walk(_ names: some Collection<String>, followFinal: Bool) throws -> [MemoryNode] {
        var chain = [self.root]
        var pending = Array(names.reversed())
        var linksFollowed = 0
        while let name = pending.popLast() {
            if name == "." {
                continue
            }
            if name == ".." {
                if chain.count == 1 {
                    throw FerryError(.permissionDenied, "a symbolic link leads above the root")
                }
                chain.removeLast()
                continue
            }
            let directory = chain[chain.count - 1]
            guard directory.kind == .directory else {
                throw FerryError(.notADirectory, "a path component is not a directory")
            }
            guard let child = directory.children[NameKey(name)] else {
                throw FerryError(.notFound, "no such entry: \(name)")
            }
            if child.kind == .symlink && (followFinal || !pending.isEmpty) {
                linksFollowed += 1
                if linksFollowed > Self.maximumLinksFollowed {
                    throw FerryError(.permissionDenied, "too many symbolic links")
                }
                if child.target.utf8.first == UInt8(ascii: "/") {
                    throw FerryError(.permissionDenied, "a symbolic link with an absolute target is not followed")
                }
                let parts = child.target.utf8.split(separator: UInt8(ascii: "/")).map {
                    String(decoding: $0, as: UTF8.self)
                }
                pending += parts.reversed()
                continue
            }
            chain.append(child)
        }
        return chain
    }

    /// Returns the node at `path`.
    func node(at path: FerryPath, followFinal: Bool) throws -> MemoryNode {
        try self.walk(path.components, followFinal: followFinal).last!
    }

    /// Returns the chain of directories down to `path`'s parent, which must be a directory.
    ///
    /// In object-store semantics with `creatingParents`, missing directories are made as implicit ones.
    func parentChain(of path: FerryPath, creatingParents: Bool = false) throws -> [MemoryNode] {
        guard let parent = path.parent else {
            throw FerryError(.permissionDenied, "the root has no parent")
        }
        if creatingParents && self.semantics == .objectStore {
            var chain = [self.root]
            for name in parent.components {
                let directory = chain[chain.count - 1]
                if let child = directory.children[NameKey(name)] {
                    guard child.kind == .directory else {
                        throw FerryError(.notADirectory, "\(name) is not a directory")
                    }
                    chain.append(child)
                } else {
                    let child = self.makeNode(.directory)
                    child.isImplicit = true
                    directory.children[NameKey(name)] = child
                    chain.append(child)
                }
            }
            return chain
        }
        let chain = try self.walk(parent.components, followFinal: true)
        guard chain[chain.count - 1].kind == .directory else {
            throw FerryError(.notADirectory, "\(parent) is not a directory")
        }
        return chain
    }

    /// After an entry left the last directory of `chain`, drops object-store directories that only existed
    /// because of it.
    func pruneImplicitDirectories(_ chain: [MemoryNode]) {
        guard self.semantics == .objectStore else { return }
        var index = chain.count - 1
        while index > 0 {
            let directory = chain[index]
            guard directory.isImplicit, directory.children.isEmpty else { return }
            let parent = chain[index - 1]
            if let key = parent.children.first(where: { $0.value === directory })?.key {
                parent.children[key] = nil
            }
            index -= 1
        }
    }

    /// Checks that storing `newSize` bytes in place of `oldSize` fits.
    func checkSpace(adding newSize: UInt64, removing oldSize: UInt64 = 0) throws {
        let limit = self.capacity ?? Self.maximumFileSize
        if self.capacity == nil {
            if newSize > limit {
                throw FerryError(.noSpace, "file larger than \(limit) bytes")
            }
            return
        }
        if self.usedBytes - min(oldSize, self.usedBytes) + newSize > limit {
            throw FerryError(.noSpace, "the storage is full")
        }
    }

    /// Drops one directory entry's reference to `node`, releasing its bytes with the last one.
    mutating func unlink(_ node: MemoryNode) {
        guard node.kind == .file else { return }
        node.linkCount -= 1
        if node.linkCount == 0 {
            self.usedBytes -= min(self.usedBytes, node.size)
        }
    }

    func touch(_ directory: MemoryNode) {
        directory.modificationTime = self.clock()
    }
}

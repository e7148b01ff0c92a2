import FerryCore
import NIOCore
import Storage

extension MemoryTree {
    mutating func move(_ source: FerryPath, to destination: FerryPath, ifExists: DestinationConflictPolicy) throws {
        if source.isRoot || destination.isRoot {
            throw FerryError(.invalidArgument, "the root cannot be moved or replaced")
        }
        let sourceChain = try self.parentChain(of: source)
        let sourceParent = sourceChain[sourceChain.count - 1]
        let sourceKey = NameKey(source.name!)
        guard let node = sourceParent.children[sourceKey] else {
            throw FerryError(.notFound, "no such entry: \(source)")
        }
        let destinationChain = try self.parentChain(of: destination)
        let destinationParent = destinationChain[destinationChain.count - 1]
        let destinationKey = NameKey(destination.name!)
        if node.kind == .directory && destinationChain.contains(where: { $0 === node }) {
            throw FerryError(.invalidArgument, "cannot move \(source) into itself")
        }
        if let existing = destinationParent.children[destinationKey] {
            if ifExists == .fail {
                throw FerryError(.alreadyExists, "\(destination) exists")
            }
            if existing === node {
                return  // The same entry, or two hard links to one file: POSIX rename does nothing.
            }
            switch (node.kind == .directory, existing.kind == .directory) {
            case (true, false):
                throw FerryError(.notADirectory, "\(destination) is not a directory")
            case (false, true):
                throw FerryError(.isADirectory, "\(destination) is a directory")
            case (true, true) where !existing.children.isEmpty:
                throw FerryError(.directoryNotEmpty, "\(destination) is not empty")
            default:
                break
            }
            self.unlink(existing)
        }
        sourceParent.children[sourceKey] = nil
        destinationParent.children[destinationKey] = node
        self.touch(sourceParent)
        self.touch(destinationParent)
    }

    mutating func copy(_ source: FerryPath, to destination: FerryPath, ifExists: DestinationConflictPolicy) throws {
        let node = try self.node(at: source, followFinal: true)
        guard node.kind != .directory else {
            throw FerryError(.isADirectory, "\(source) is a directory")
        }
        guard node.kind == .file else {
            throw FerryError(.unsupported, "\(source) is not a regular file")
        }
        try self.checkWritable(destination)
        if ifExists == .fail, (try? self.node(at: destination, followFinal: false)) != nil {
            throw FerryError(.alreadyExists, "\(destination) exists")
        }
        try self.commitFile(destination, data: node.data)
    }

    mutating func createSymlink(at path: FerryPath, target: String) throws {
        let bytes = target.utf8
        guard !bytes.isEmpty, !bytes.contains(0), bytes.count < 4096 else {
            throw FerryError(.invalidArgument, "a link target must be 1 to 4095 bytes without NUL")
        }
        let parent = try self.insertionParent(for: path)
        let link = self.makeNode(.symlink)
        link.target = target
        parent.children[NameKey(path.name!)] = link
        self.touch(parent)
    }

    func readSymlink(_ path: FerryPath) throws -> String {
        let node = try self.node(at: path, followFinal: false)
        guard node.kind == .symlink else {
            throw FerryError(.invalidArgument, "\(path) is not a symbolic link")
        }
        return node.target
    }

    mutating func createHardLink(at path: FerryPath, to existing: FerryPath) throws {
        let node = try self.node(at: existing, followFinal: false)
        guard node.kind != .directory else {
            throw FerryError(.permissionDenied, "directories cannot be hard-linked")
        }
        let parent = try self.insertionParent(for: path)
        parent.children[NameKey(path.name!)] = node
        node.linkCount += 1
        self.touch(parent)
    }

    /// The directory a new entry at `path` goes into, failing if something is already there.
    private func insertionParent(for path: FerryPath) throws -> MemoryNode {
        if path.isRoot {
            throw FerryError(.alreadyExists, "/ exists")
        }
        let parent = try self.parentChain(of: path).last!
        if parent.children[NameKey(path.name!)] != nil {
            throw FerryError(.alreadyExists, "\(path) exists")
        }
        return parent
    }
}

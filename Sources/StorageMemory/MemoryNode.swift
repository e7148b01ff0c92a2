import FerryCore
import NIOCore

/// One entry of the in-memory tree. Hard links are two directory entries holding the same node.
///
/// Nodes are only touched while the tree's lock is held.
final class MemoryNode {
    let kind: FileKind
    /// A file's bytes.
    var data: ByteBuffer
    /// A directory's entries.
    var children: [NameKey: MemoryNode]
    /// A symbolic link's target.
    var target: String
    var permissions: FilePermissions
    var uid: UInt32
    var gid: UInt32
    var modificationTime: FileTimestamp
    var accessTime: FileTimestamp
    /// How many directory entries name this node (files only).
    var linkCount: Int
    /// An object-store directory that exists only because something is inside it.
    var isImplicit: Bool

    init(kind: FileKind, permissions: FilePermissions, uid: UInt32, gid: UInt32, time: FileTimestamp) {
        self.kind = kind
        self.data = ByteBuffer()
        self.children = [:]
        self.target = ""
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.modificationTime = time
        self.accessTime = time
        self.linkCount = 1
        self.isImplicit = false
    }

    var size: UInt64 {
        switch self.kind {
        case .file: UInt64(self.data.readableBytes)
        case .symlink: UInt64(self.target.utf8.count)
        case .directory, .other: 0
        }
    }
}

/// A directory entry name compared byte for byte, so that canonically equivalent Unicode names stay distinct.
struct NameKey: Hashable, Comparable {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    static func == (lhs: NameKey, rhs: NameKey) -> Bool {
        lhs.name.utf8.elementsEqual(rhs.name.utf8)
    }

    static func < (lhs: NameKey, rhs: NameKey) -> Bool {
        lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.name.utf8.count)
        for byte in self.name.utf8 {
            hasher.combine(byte)
        }
    }
}

import FerryCore
import SFTPProtocol
import Storage
import VFS

/// The session's open handles: files (backed by VFS handles) and directory listings in progress.
///
/// Handles go on the wire as four big-endian bytes, like OpenSSH's; ids are never reused within a session, so a
/// stale handle can never name a newer file.
struct SFTPHandleTable: Sendable {
    enum Entry: Sendable {
        case file(VFSHandle, FerryPath)
        case directory(SFTPDirectoryListing)
    }

    private var entries: [UInt32: Entry] = [:]
    private var nextID: UInt32 = 1
    private(set) var directoryCount = 0

    mutating func insert(_ entry: Entry) -> SFTPHandle {
        let id = self.nextID
        self.nextID &+= 1
        if self.nextID == 0 { self.nextID = 1 }
        self.entries[id] = entry
        if case .directory = entry { self.directoryCount += 1 }
        return Self.encode(id)
    }

    func entry(_ handle: SFTPHandle) -> Entry? {
        Self.decode(handle).flatMap { self.entries[$0] }
    }

    mutating func replaceListing(_ handle: SFTPHandle, with listing: SFTPDirectoryListing) {
        guard let id = Self.decode(handle), case .directory = self.entries[id] else { return }
        self.entries[id] = .directory(listing)
    }

    @discardableResult
    mutating func remove(_ handle: SFTPHandle) -> Entry? {
        guard let id = Self.decode(handle), let entry = self.entries.removeValue(forKey: id) else { return nil }
        if case .directory = entry { self.directoryCount -= 1 }
        return entry
    }

    mutating func removeAll() {
        self.entries = [:]
        self.directoryCount = 0
    }

    static func encode(_ id: UInt32) -> SFTPHandle {
        SFTPHandle(bytes: [UInt8(id >> 24), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)])
    }

    static func decode(_ handle: SFTPHandle) -> UInt32? {
        guard handle.bytes.count == 4 else { return nil }
        return handle.bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// A directory being read with `READDIR`: entries fetched from storage but not yet sent, and where to go on.
struct SFTPDirectoryListing: Sendable {
    var path: FerryPath
    var buffered: [FileInfo]
    var continuation: ListingContinuation?
    var exhausted: Bool
}

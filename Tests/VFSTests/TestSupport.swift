import FerryCore
import Foundation
import NIOCore
import Storage
import StorageLocal
import StorageMemory
import VFS

/// Parses a path in a test.
func path(_ text: String) throws -> FerryPath {
    try FerryPath(parsing: text)
}

/// A buffer holding text.
func buffer(_ text: String) -> ByteBuffer {
    ByteBuffer(string: text)
}

/// A whole file's contents as text.
func contents(_ storage: any Storage, _ text: String) async throws -> String {
    String(buffer: try await storage.readAll(try path(text)))
}

/// Whether an entry exists.
func exists(_ storage: any Storage, _ text: String) async throws -> Bool {
    do {
        _ = try await storage.attributes(of: try path(text))
        return true
    } catch let error as FerryError where error.code == .notFound {
        return false
    }
}

/// A session over one backend.
func makeSession(
    _ storage: any Storage,
    permissions: VFSPermissions = .all,
    limits: VFSLimits = VFSLimits(),
    events: any VFSEventSink = VFSDiscardingEventSink()
) throws -> VFSSession {
    VFSSession(
        user: "alice",
        mounts: try VFSMountTable(root: VFSMount(storage: storage)),
        permissions: permissions,
        limits: limits,
        events: events
    )
}

/// Runs `body` with a local storage rooted in a fresh temporary directory, removed afterwards; the body also
/// gets the directory's path to look behind the storage's back.
func withLocalStorage(_ body: (LocalStorage, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-vfs-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await body(try await LocalStorage(root: directory), directory)
}

/// The backends with POSIX semantics the session runs against: memory and local disk.
func withPOSIXBackends(_ body: (any Storage) async throws -> Void) async throws {
    try await body(MemoryStorage())
    try await withLocalStorage { storage, _ in try await body(storage) }
}

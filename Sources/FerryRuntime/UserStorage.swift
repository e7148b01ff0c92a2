import Accounts
import FerryCore
import Foundation
import Storage
import StorageLocal
import StorageMemory
import Synchronization

/// Where each user's files live, by the configured storage kind.
///
/// - `local`: `ROOT/USERNAME` on disk, created (mode 0700) on first use; the user is jailed in it.
/// - `memory` and `memory-object`: one in-memory store per user, kept while the server runs (for trials and
///   tests; nothing survives a restart).
public final class UserStorage: Sendable {
    let settings: ServeConfiguration.StorageSettings
    private let memory = Mutex<[String: any Storage]>([:])

    /// Creates the provider.
    public init(settings: ServeConfiguration.StorageSettings) {
        self.settings = settings
    }

    /// The storage for one user.
    public func storage(for user: User) async throws -> any Storage {
        let name = user.name.description
        switch self.settings.kind {
        case .local:
            let directory = (self.settings.root as NSString).appendingPathComponent(name)
            try self.makeDirectory(directory, uid: user.uid, gid: user.gid)
            return try await LocalStorage(root: directory)
        case .memory, .memoryObject:
            let objectStore = self.settings.kind == .memoryObject
            return self.memory.withLock { stores in
                if let existing = stores[name] { return existing }
                let created: any Storage = objectStore ? MemoryObjectStorage() : MemoryStorage()
                stores[name] = created
                return created
            }
        }
    }

    /// Creates directories inside a user's storage (atmoz's `dirs`), ignoring ones that exist.
    public func createDirectories(_ directories: [String], for user: User) async throws {
        let storage = try await self.storage(for: user)
        for directory in directories {
            var path = FerryPath.root
            for component in try FerryPath(parsing: directory).components {
                path = try path.appending(component)
                do {
                    try await storage.makeDirectory(path)
                } catch let error as FerryError where error.code == .alreadyExists {
                }
            }
        }
    }

    private func makeDirectory(_ path: String, uid: UInt32?, gid: UInt32?) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw FerryError(.notADirectory, "\(path) is not a directory") }
            return
        }
        try FileManager.default.createDirectory(
            atPath: path,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        if uid != nil || gid != nil, getuid() == 0 {
            _ = chown(path, uid ?? UInt32.max, gid ?? UInt32.max)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

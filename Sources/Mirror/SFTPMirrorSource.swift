import SFTPClient
import SFTPProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens SFTP sessions for a mirror; each connection is made by `connect` (which resolves the host, checks its
/// key and logs in).
public struct SFTPMirrorSourceConnector: MirrorSourceConnector {
    public let description: String
    private let connectClient: @Sendable () async throws -> SFTPClient

    public init(description: String, connect: @escaping @Sendable () async throws -> SFTPClient) {
        self.description = description
        self.connectClient = connect
    }

    public func connect() async throws -> any MirrorSource {
        do {
            return SFTPMirrorSource(client: try await self.connectClient())
        } catch let error as MirrorSourceError {
            throw error
        } catch {
            throw MirrorSourceError.connectionLost("\(error)")
        }
    }
}

/// A ``MirrorSource`` over one ``SFTPClient`` session.
public struct SFTPMirrorSource: MirrorSource {
    public let client: SFTPClient

    public init(client: SFTPClient) {
        self.client = client
    }

    public func list(_ directory: String) async throws -> [MirrorRemoteEntry] {
        try await Self.mapping {
            var entries: [MirrorRemoteEntry] = []
            try await self.client.listDirectory(SFTPPath(directory)) { batch in
                for entry in batch {
                    // A name with a slash or a dot-dot would lead outside the destination; names that are not
                    // UTF-8 cannot be stored in the ledger faithfully. Both are skipped.
                    guard entry.filename.isPlainName, let name = entry.filename.string else { continue }
                    entries.append(Self.entry(name: name, path: Self.join(directory, name), entry.attributes))
                }
            }
            return entries
        }
    }

    public func stat(_ path: String) async throws -> MirrorRemoteEntry? {
        try await Self.mapping {
            guard let attributes = try await self.client.statIfExists(SFTPPath(path)) else { return nil }
            let name = path.split(separator: "/").last.map(String.init) ?? path
            return Self.entry(name: name, path: path, attributes)
        }
    }

    public func download(
        _ path: String,
        to localPath: String,
        from offset: UInt64,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> UInt64 {
        let descriptor = open(localPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw MirrorSourceError.failed(
                SFTPClientError.localFile(path: localPath, operation: "open", errno: errno).description
            )
        }
        defer { closeDescriptor(descriptor) }
        return try await Self.mapping {
            let end = try await self.client.download(
                SFTPPath(path),
                to: SFTPLocalFile(descriptor: descriptor, path: localPath),
                from: offset,
                progress: progress
            )
            if ftruncate(descriptor, off_t(end)) != 0 {
                throw MirrorSourceError.failed(
                    SFTPClientError.localFile(path: localPath, operation: "truncate", errno: errno).description
                )
            }
            return end
        }
    }

    public func remove(_ path: String) async throws {
        try await Self.mapping { try await self.client.remove(SFTPPath(path)) }
    }

    /// Renames, replacing an existing `newPath` (in one step where the server offers posix-rename).
    public func rename(_ path: String, to newPath: String) async throws {
        try await Self.mapping { try await self.client.rename(SFTPPath(path), to: SFTPPath(newPath), replacing: true) }
    }

    public func makeDirectory(_ path: String) async throws {
        try await Self.mapping {
            do {
                try await self.client.makeDirectory(SFTPPath(path))
            } catch let error as SFTPClientError {
                // Servers answer "failure" (not a specific code) when the directory exists.
                if let existing = try? await self.client.stat(SFTPPath(path)), existing.permissions?.isDirectory == true
                {
                    return
                }
                throw error
            }
        }
    }

    public func close() async {
        await self.client.close()
    }

    // MARK: Helpers

    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func entry(name: String, path: String, _ attributes: SFTPFileAttributes) -> MirrorRemoteEntry {
        let kind: MirrorRemoteEntry.Kind
        switch attributes.permissions?.fileType {
        case .regular?: kind = .file
        case .directory?: kind = .directory
        case nil: kind = attributes.size != nil ? .file : .other
        default: kind = .other
        }
        return MirrorRemoteEntry(
            name: name,
            path: path,
            kind: kind,
            size: attributes.size ?? 0,
            modificationTime: Int64(attributes.times?.modificationTime ?? 0)
        )
    }

    /// Runs `body`, turning client errors into the mirror's kinds.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SFTPClientError {
            switch error {
            case .connectionLost(let why): throw MirrorSourceError.connectionLost(why)
            case .status(.noSuchFile, _, let path): throw MirrorSourceError.noSuchFile(path ?? "")
            case .status(.noConnection, _, _), .status(.connectionLost, _, _):
                throw MirrorSourceError.connectionLost(error.description)
            default: throw MirrorSourceError.failed(error.description)
            }
        }
    }
}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

import Foundation
import Mirror
import Synchronization

/// A remote folder in memory, shared by the sessions a ``MemoryConnector`` opens.
final class MemoryRemote: Sendable {
    struct File: Sendable {
        var content: [UInt8]
        var modificationTime: Int64
    }

    /// A download that fails: with `connectionLost` after writing `afterBytes`, or with `failed`.
    enum Fault: Sendable {
        case dropConnection(afterBytes: Int)
        case fail(String)
    }

    struct State: Sendable {
        var files: [String: File] = [:]
        var directories: Set<String> = ["/"]
        var generation = 0
        var downloads: [String: Int] = [:]
        var downloadOffsets: [String: [UInt64]] = [:]
        var downloadFaults: [String: [Fault]] = [:]
        var removeFailures: [String: Int] = [:]
        var connectFailures = 0
        var connections = 0
        var removed: [String] = []
    }

    let state = Mutex(State())

    func put(_ path: String, _ content: String, mtime: Int64) {
        self.put(path, Array(content.utf8), mtime: mtime)
    }

    func put(_ path: String, _ content: [UInt8], mtime: Int64) {
        self.state.withLock { state in
            state.files[path] = File(content: content, modificationTime: mtime)
            var directory = Self.parent(path)
            while directory != "/" {
                state.directories.insert(directory)
                directory = Self.parent(directory)
            }
        }
    }

    func append(_ path: String, _ content: String, mtime: Int64) {
        self.state.withLock { state in
            state.files[path]?.content += Array(content.utf8)
            state.files[path]?.modificationTime = mtime
        }
    }

    func exists(_ path: String) -> Bool { self.state.withLock { $0.files[path] != nil } }
    func content(_ path: String) -> String? {
        self.state.withLock { $0.files[path].map { String(decoding: $0.content, as: UTF8.self) } }
    }
    func downloads(_ path: String) -> Int { self.state.withLock { $0.downloads[path] ?? 0 } }
    var totalDownloads: Int { self.state.withLock { $0.downloads.values.reduce(0, +) } }
    func offsets(_ path: String) -> [UInt64] { self.state.withLock { $0.downloadOffsets[path] ?? [] } }
    var connections: Int { self.state.withLock { $0.connections } }

    func inject(_ fault: Fault, into path: String) {
        self.state.withLock { $0.downloadFaults[path, default: []].append(fault) }
    }

    func failRemoves(of path: String, times: Int) {
        self.state.withLock { $0.removeFailures[path] = times }
    }

    func failConnects(times: Int) {
        self.state.withLock { $0.connectFailures = times }
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

struct MemoryConnector: MirrorSourceConnector {
    let remote: MemoryRemote
    var description: String { "sftp://tester@memory:22/outbox" }

    func connect() async throws -> any MirrorSource {
        try self.remote.state.withLock { state in
            if state.connectFailures > 0 {
                state.connectFailures -= 1
                throw MirrorSourceError.connectionLost("connection refused")
            }
            state.connections += 1
            return MemorySession(remote: self.remote, generation: state.generation)
        }
    }
}

struct MemorySession: MirrorSource {
    let remote: MemoryRemote
    let generation: Int

    private func check(_ state: MemoryRemote.State) throws {
        guard state.generation == self.generation else { throw MirrorSourceError.connectionLost("session closed") }
    }

    func list(_ directory: String) async throws -> [MirrorRemoteEntry] {
        try self.remote.state.withLock { state in
            try self.check(state)
            guard state.directories.contains(directory) else { throw MirrorSourceError.noSuchFile(directory) }
            var entries: [MirrorRemoteEntry] = []
            for (path, file) in state.files where MemoryRemote.parent(path) == directory {
                let name = String(path.split(separator: "/").last ?? "")
                entries.append(
                    MirrorRemoteEntry(
                        name: name,
                        path: path,
                        kind: .file,
                        size: UInt64(file.content.count),
                        modificationTime: file.modificationTime
                    )
                )
            }
            for path in state.directories where path != "/" && MemoryRemote.parent(path) == directory {
                let name = String(path.split(separator: "/").last ?? "")
                entries.append(
                    MirrorRemoteEntry(name: name, path: path, kind: .directory, size: 0, modificationTime: 0)
                )
            }
            return entries.sorted { $0.name < $1.name }
        }
    }

    func stat(_ path: String) async throws -> MirrorRemoteEntry? {
        try self.remote.state.withLock { state in
            try self.check(state)
            let name = String(path.split(separator: "/").last ?? "")
            if let file = state.files[path] {
                return MirrorRemoteEntry(
                    name: name,
                    path: path,
                    kind: .file,
                    size: UInt64(file.content.count),
                    modificationTime: file.modificationTime
                )
            }
            if state.directories.contains(path) {
                return MirrorRemoteEntry(name: name, path: path, kind: .directory, size: 0, modificationTime: 0)
            }
            return nil
        }
    }

    func download(
        _ path: String,
        to localPath: String,
        from offset: UInt64,
        progress: @escaping @Sendable (UInt64) -> Void
    ) async throws -> UInt64 {
        let (bytes, fault): ([UInt8], MemoryRemote.Fault?) = try self.remote.state.withLock { state in
            try self.check(state)
            guard let file = state.files[path] else { throw MirrorSourceError.noSuchFile(path) }
            state.downloads[path, default: 0] += 1
            state.downloadOffsets[path, default: []].append(offset)
            var fault: MemoryRemote.Fault?
            if var faults = state.downloadFaults[path], !faults.isEmpty {
                fault = faults.removeFirst()
                state.downloadFaults[path] = faults
            }
            if case .dropConnection = fault { state.generation += 1 }
            return (Array(file.content.dropFirst(Int(offset))), fault)
        }
        var toWrite = bytes
        if case .fail(let why) = fault { throw MirrorSourceError.failed(why) }
        if case .dropConnection(let after) = fault { toWrite = Array(bytes.prefix(after)) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: localPath))
        try handle.seek(toOffset: offset)
        try handle.write(contentsOf: toWrite)
        try handle.truncate(atOffset: offset + UInt64(toWrite.count))
        try handle.close()
        progress(offset + UInt64(toWrite.count))
        if case .dropConnection = fault { throw MirrorSourceError.connectionLost("connection reset by peer") }
        return offset + UInt64(toWrite.count)
    }

    func remove(_ path: String) async throws {
        try self.remote.state.withLock { state in
            try self.check(state)
            if let left = state.removeFailures[path], left > 0 {
                state.removeFailures[path] = left - 1
                throw MirrorSourceError.failed("permission denied")
            }
            guard state.files.removeValue(forKey: path) != nil else { throw MirrorSourceError.noSuchFile(path) }
            state.removed.append(path)
        }
    }

    func rename(_ path: String, to newPath: String) async throws {
        try self.remote.state.withLock { state in
            try self.check(state)
            guard state.directories.contains(MemoryRemote.parent(newPath)) else {
                throw MirrorSourceError.failed("no such directory: \(MemoryRemote.parent(newPath))")
            }
            guard let file = state.files.removeValue(forKey: path) else { throw MirrorSourceError.noSuchFile(path) }
            state.files[newPath] = file
        }
    }

    func makeDirectory(_ path: String) async throws {
        try self.remote.state.withLock { state in
            try self.check(state)
            guard state.directories.contains(MemoryRemote.parent(path)) else {
                throw MirrorSourceError.failed("no such directory: \(MemoryRemote.parent(path))")
            }
            state.directories.insert(path)
        }
    }

    func close() async {}
}

/// A clock that only moves when told to or when the job sleeps (instantly), calling a hook on each sleep.
final class ManualClock: MirrorClock {
    private struct State {
        var now: Date
        var sleeps: [TimeInterval] = []
        var onSleep: (@Sendable (TimeInterval) -> Void)?
        var blockAfterSleeps: Int?
    }

    private let state: Mutex<State>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.state = Mutex(State(now: start))
    }

    func now() -> Date { self.state.withLock { $0.now } }

    var seconds: Int64 { Int64(self.now().timeIntervalSince1970) }

    var sleeps: [TimeInterval] { self.state.withLock { $0.sleeps } }

    func advance(_ seconds: TimeInterval) {
        self.state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }

    func onSleep(_ hook: (@Sendable (TimeInterval) -> Void)?) {
        self.state.withLock { $0.onSleep = hook }
    }

    /// From the given number of sleeps on, a sleep waits until its task is cancelled (so a run loop parks).
    func blockAfter(sleeps: Int) {
        self.state.withLock { $0.blockAfterSleeps = sleeps }
    }

    func sleep(seconds: TimeInterval) async throws {
        try Task.checkCancellation()
        let (hook, block) = self.state.withLock { state in
            state.sleeps.append(seconds)
            state.now = state.now.addingTimeInterval(seconds)
            return (state.onSleep, state.blockAfterSleeps.map { state.sleeps.count >= $0 } ?? false)
        }
        hook?(seconds)
        if block {
            while true { try await Task.sleep(nanoseconds: 1_000_000_000) }
        }
        await Task.yield()
    }
}

/// A temporary destination directory with its ledger, removed at the end.
final class Sandbox: Sendable {
    let root: String

    init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/ferry-mirror-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else { throw CocoaError(.fileWriteUnknown) }
        self.root = String(cString: made)
    }

    var destination: String { self.root + "/dest" }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: self.destination + "/" + relative).map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: self.destination + "/" + relative)
    }

    func listing() -> [String] {
        (FileManager.default.subpaths(atPath: self.destination) ?? []).sorted()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.root)
    }
}

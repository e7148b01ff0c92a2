import Events
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The local side of a download: sizes, durable writes, renames and modification times.
enum LocalFiles {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func size(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "cannot create the directory \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path` empty (truncating it).
    static func createEmpty(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("cannot create", path) }
        close(descriptor)
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    /// Flushes the file's content to disk and returns its SHA-256.
    static func syncAndDigest(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure("cannot open", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Self.failure("cannot flush", path) }
        var digest = ContentDigest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure("cannot read", path)
            }
            if count == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return digest.finalize()
    }

    static func digest(_ path: String) -> String? {
        try? ContentDigest.sha256(ofFileAtPath: path)
    }

    /// Sets the modification (and access) time to `seconds` since 1970.
    static func setModificationTime(_ path: String, seconds: Int64) {
        var times = [timeval(tv_sec: Int(seconds), tv_usec: 0), timeval(tv_sec: Int(seconds), tv_usec: 0)]
        _ = utimes(path, &times)
    }

    /// Renames `source` onto `destination` (replacing it) and flushes the directory so the rename survives a crash.
    static func renameDurably(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else { throw Self.failure("cannot rename into", destination) }
        let directory = MirrorPaths.directory(of: destination)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func failure(_ what: String, _ path: String) -> Failure {
        Failure(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}

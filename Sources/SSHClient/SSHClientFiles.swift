#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The little file access the client's configuration needs, without Foundation.
enum SSHClientFiles {
    /// A file read failed for a reason other than its absence.
    struct ReadError: Error {
        var path: String
        var errno: Int32
    }

    /// The file's bytes, or nil when it does not exist.
    static func contents(of path: String) throws(ReadError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ReadError(path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// The file as UTF-8 text (invalid sequences replaced), or nil when it does not exist.
    static func text(of path: String) throws(ReadError) -> String? {
        try self.contents(of: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The paths matching a glob(3) pattern, sorted; none when nothing matches.
    static func expandGlob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(pattern, 0, nil, &result)
        guard status == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }

    /// The directory part of a path ("." when there is none).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// Creates `path` (one level) with `mode` unless something already exists there.
    static func makeDirectory(_ path: String, mode: mode_t) throws(ReadError) {
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw ReadError(path: path, errno: errno) }
    }

    /// The values of the named environment variables that are set.
    static func environment(_ names: [String]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in names {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return environment
    }

    /// A message for an errno value.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

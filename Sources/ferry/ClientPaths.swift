import SFTPClient
import SFTPProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Path helpers shared by the client commands.
enum ClientPaths {
    /// The last component of a remote or local path ("." for the root or the login directory).
    static func baseName(_ path: String) -> String {
        let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        let name = String(trimmed[trimmed.index(after: slash)...])
        return name.isEmpty ? "." : name
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty || directory == "." { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Whether a local path is an existing directory.
    static func isLocalDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a local directory (and its parents) if missing.
    static func makeLocalDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            current += (current.isEmpty || current.hasSuffix("/") ? "" : "/") + part
            if isLocalDirectory(current) { continue }
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw SFTPClientError.localFile(path: current, operation: "create the directory", errno: errno)
            }
        }
    }

    /// The entries of a local directory, without `.` and `..`, sorted.
    static func localEntries(_ path: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let directory = opendir(path) else {
            throw SFTPClientError.localFile(path: path, operation: "list", errno: errno)
        }
        defer { closedir(directory) }
        var entries: [(String, Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name == "." || name == ".." { continue }
            entries.append((name, isLocalDirectory(join(path, name))))
        }
        return entries.sorted { $0.0 < $1.0 }
    }

    /// Whether remote attributes describe a directory.
    static func isDirectory(_ attributes: SFTPFileAttributes?) -> Bool {
        attributes?.permissions?.isDirectory == true
    }
}

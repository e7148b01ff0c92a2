#if os(Linux)
import Foundation
import Glibc

/// A fresh directory under the system's temporary directory, removed when the body ends.
struct Sandbox {
    /// The sandbox itself; nothing of it is a storage root unless a test says so.
    let base: String

    /// Runs `body` with a new sandbox and removes it afterwards.
    @discardableResult
    static func with<Result>(_ body: (Sandbox) async throws -> Result) async throws -> Result {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-storage-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        let sandbox = Sandbox(base: String(cString: made))
        defer { try? FileManager.default.removeItem(atPath: sandbox.base) }
        return try await body(sandbox)
    }

    /// Makes a new, empty directory in the sandbox and returns its path.
    func makeDirectory(_ name: String) throws -> String {
        let path = self.base + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a file in the sandbox.
    func writeFile(_ relative: String, _ contents: String) throws {
        try Data(contents.utf8).write(to: URL(fileURLWithPath: self.base + "/" + relative))
    }

    /// Creates a symbolic link in the sandbox.
    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: self.base + "/" + relative, withDestinationPath: target)
    }

    /// Renames an entry in the sandbox behind the storage's back.
    func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(self.base + "/" + from, self.base + "/" + to) == 0 else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
    }

    /// Everything below `relative`, without following links: one line per entry with kind, mode, size,
    /// modification time, link target and contents, so any change shows.
    func snapshot(_ relative: String = "") throws -> [String] {
        var lines: [String] = []
        var pending = [relative]
        while let next = pending.popLast() {
            let full = next.isEmpty ? self.base : self.base + "/" + next
            var info = stat()
            guard lstat(full, &info) == 0 else {
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            var line = "\(next) mode=\(String(info.st_mode, radix: 8)) size=\(info.st_size) "
            line += "mtime=\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) uid=\(info.st_uid)"
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                line += " -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: full))
            case S_IFREG:
                line += " " + (try String(contentsOfFile: full, encoding: .utf8))
            case S_IFDIR:
                for child in try FileManager.default.contentsOfDirectory(atPath: full) {
                    pending.append(next.isEmpty ? child : next + "/" + child)
                }
            default:
                break
            }
            lines.append(line)
        }
        return lines.sorted()
    }
}
#endif

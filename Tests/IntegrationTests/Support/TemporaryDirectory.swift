// A private (mode 0700) directory under NSTemporaryDirectory() for one test's files, removed with
// everything in it by `cleanup()` or when the object is deinitialized.
//
//     let dir = try TemporaryDirectory()
//     let keyPath = dir.path("id_ed25519")
//     try dir.write("hello\n", to: "greeting.txt")

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class TemporaryDirectory: @unchecked Sendable {
    let url: URL
    private let lock = NSLock()
    private var removed = false

    /// Creates a new, empty directory named `<prefix>.XXXXXX`.
    init(prefix: String = "ferry-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        var template = Array(base.appendingPathComponent("\(prefix).XXXXXX").path.utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!)
        }
        guard created != nil else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: base.path])
        }
        let path = template.withUnsafeBufferPointer { buffer in
            String(cString: buffer.baseAddress!)
        }
        url = URL(fileURLWithPath: path, isDirectory: true)
    }

    deinit {
        cleanup()
    }

    /// The directory's absolute path.
    var path: String { url.path }

    /// Absolute path of `name` inside the directory (nothing is created).
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `data` to `name` inside the directory and returns its absolute path.
    @discardableResult
    func write(_ data: Data, to name: String, permissions: Int? = nil) throws -> String {
        let file = path(name)
        try data.write(to: URL(fileURLWithPath: file))
        if let permissions {
            try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: file)
        }
        return file
    }

    @discardableResult
    func write(_ text: String, to name: String, permissions: Int? = nil) throws -> String {
        try write(Data(text.utf8), to: name, permissions: permissions)
    }

    /// Creates a subdirectory (and its parents) and returns its absolute path.
    @discardableResult
    func makeDirectory(_ name: String) throws -> String {
        let directory = path(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Removes the directory and its contents; later calls do nothing.
    func cleanup() {
        let first = lock.withLock {
            defer { removed = true }
            return !removed
        }
        if first {
            try? FileManager.default.removeItem(at: url)
        }
    }
}

#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import NIOCore
import Storage

extension LocalStorage: Storage {
    public func attributes(of path: FerryPath) async throws -> FileAttributes {
        try await self.run {
            let (directory, name) = try self.openParent(of: path)
            defer { close(directory) }
            return try Self.entryAttributes(directory, name, path)
        }
    }

    public func list(
        _ directory: FerryPath,
        pageSize: Int,
        after continuation: ListingContinuation?
    ) async throws
        -> DirectoryPage
    {
        guard pageSize > 0 else {
            throw FerryError(.invalidArgument, "page size must be positive")
        }
        return try await self.run {
            let descriptor = try self.openBeneath(
                directory.components,
                flags: O_RDONLY | O_DIRECTORY,
                followFinal: true,
                path: directory
            )
            guard let stream = fdopendir(descriptor) else {
                let number = errno
                close(descriptor)
                throw Self.error(number, .list, directory)
            }
            defer { closedir(stream) }
            var names = try Self.readNames(stream, directory)
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            if let last = continuation?.token {
                let start = names.firstIndex { last.utf8.lexicographicallyPrecedes($0.utf8) } ?? names.count
                names.removeFirst(start)
            }
            var entries: [FileInfo] = []
            var consumed = 0
            for name in names {
                if entries.count == pageSize { break }
                consumed += 1
                do {
                    let attributes = try Self.entryAttributes(dirfd(stream), name, directory)
                    entries.append(FileInfo(name: name, attributes: attributes))
                } catch let error as FerryError where error.code == .notFound {
                    continue  // Removed since the directory was read.
                }
            }
            let more = consumed < names.count
            return DirectoryPage(
                entries: entries,
                continuation: more ? ListingContinuation(token: entries.last?.name ?? names[consumed - 1]) : nil
            )
        }
    }

    /// Reads every name in a directory stream but `.`, `..`, uploads in progress and names that are not UTF-8.
    private static func readNames(_ stream: OpaquePointer, _ directory: FerryPath) throws -> [String] {
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    throw Self.error(errno, .list, directory)
                }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String? in
                let bytes = raw.prefix { $0 != 0 }
                return String(validating: bytes, as: UTF8.self)
            }
            guard let name, name != ".", name != "..", !TemporaryName.matches(name) else { continue }
            names.append(name)
        }
    }

    public func read(_ path: FerryPath, at offset: UInt64, count: Int) async throws -> ByteBuffer {
        guard count >= 0, offset <= UInt64(Int64.max) else {
            throw FerryError(.invalidArgument, "read of \(count) bytes at \(offset)")
        }
        return try await self.run {
            let descriptor = try self.openBeneath(
                path.components,
                flags: O_RDONLY | O_NONBLOCK | O_NOCTTY,
                followFinal: true,
                path: path
            )
            defer { close(descriptor) }
            let size = try Self.regularFileSize(descriptor, path)
            guard offset < size, count > 0 else { return ByteBuffer() }
            return try Self.readBytes(descriptor, at: offset, count: Int(min(UInt64(count), size - offset)), path)
        }
    }

    /// The size of an open regular file; other kinds are refused. Blocking.
    static func regularFileSize(_ descriptor: CInt, _ path: FerryPath) throws -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw Self.error(errno, .stat, path)
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return UInt64(max(0, info.st_size))
        case S_IFDIR:
            throw FerryError(.isADirectory, "\(path) is a directory")
        default:
            throw FerryError(.unsupported, "\(path) is not a regular file")
        }
    }

    /// `pread` until `count` bytes or the end of the file. Blocking.
    static func readBytes(_ descriptor: CInt, at offset: UInt64, count: Int, _ path: FerryPath) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: CInt? = nil
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var done = 0
            while done < count {
                let result = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if result == 0 { break }
                done += result
            }
            return done
        }
        if let failure {
            throw Self.error(failure, .read, path)
        }
        return buffer
    }
}
#endif

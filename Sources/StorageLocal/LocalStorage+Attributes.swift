#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore

extension LocalStorage {
    /// Converts `stat` results to ``FileAttributes``.
    static func attributes(_ info: stat, symlinkTarget: String? = nil) -> FileAttributes {
        let kind: FileKind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return FileAttributes(
            kind: kind,
            size: UInt64(max(0, info.st_size)),
            permissions: FilePermissions(rawValue: UInt32(info.st_mode)),
            uid: info.st_uid,
            gid: info.st_gid,
            modificationTime: FileTimestamp(
                seconds: Int64(info.st_mtim.tv_sec),
                nanoseconds: UInt32(info.st_mtim.tv_nsec)
            ),
            accessTime: FileTimestamp(seconds: Int64(info.st_atim.tv_sec), nanoseconds: UInt32(info.st_atim.tv_nsec)),
            symlinkTarget: symlinkTarget
        )
    }

    /// `lstat` of `name` in `directory`, with the link target of a symbolic link. Blocking.
    static func entryAttributes(_ directory: CInt, _ name: String, _ path: FerryPath) throws -> FileAttributes {
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw Self.error(errno, .stat, path)
        }
        let target = info.st_mode & S_IFMT == S_IFLNK ? try? Self.linkTarget(directory, name, path) : nil
        return Self.attributes(info, symlinkTarget: target)
    }

    /// `readlinkat`, decoding the target as UTF-8 (invalid bytes are replaced). Blocking.
    static func linkTarget(_ directory: CInt, _ name: String, _ path: FerryPath) throws -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let count = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { readlinkat(directory, name, $0.baseAddress!, $0.count) }
        }
        guard count >= 0 else {
            throw Self.error(errno, .readlink, path)
        }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
#endif

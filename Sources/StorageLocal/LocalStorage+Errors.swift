#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore

extension LocalStorage {
    /// What was being done when a system call failed; only resolution gives `EXDEV` and `ELOOP` their meaning
    /// of "this would leave the root".
    enum Operation: String {
        case openRoot = "open the root"
        case resolve = "resolve"
        case stat
        case list
        case read
        case write
        case sync
        case rename
        case makeDirectory = "make a directory"
        case removeDirectory = "remove a directory"
        case removeFile = "remove a file"
        case symlink = "create a symbolic link"
        case readlink = "read a symbolic link"
        case link = "create a hard link"
        case setAttributes = "set attributes"
        case statfs = "report space"
    }

    /// Maps an `errno` to a ``FerryError``: the one place where system errors become codes.
    ///
    /// - Parameters:
    ///   - number: The `errno`.
    ///   - operation: What was being done.
    ///   - path: The user-relative path involved (never a host path).
    /// - Returns: The error to throw.
    static func error(_ number: CInt, _ operation: Operation, _ path: FerryPath) -> FerryError {
        let code: FerryError.Code
        var reason = String(cString: strerror(number))
        switch number {
        case ENOENT: code = .notFound
        case EEXIST: code = .alreadyExists
        case ENOTDIR: code = .notADirectory
        case EISDIR: code = .isADirectory
        case ENOTEMPTY: code = .directoryNotEmpty
        case EACCES, EPERM: code = .permissionDenied
        case EXDEV where operation == .resolve:
            code = .permissionDenied
            reason = "the path leaves the storage root"
        case EXDEV: code = .crossDevice
        case ELOOP:
            code = .permissionDenied
            reason = "a symbolic link that may not be followed"
        case ENAMETOOLONG: code = .nameTooLong
        case ENOSPC, EFBIG: code = .noSpace
        case EDQUOT: code = .quotaExceeded
        case EROFS: code = .readOnly
        case EBUSY, ETXTBSY: code = .busy
        case EINVAL: code = .invalidArgument
        case ENOSYS, EOPNOTSUPP: code = .unsupported
        default: code = .ioError
        }
        return FerryError(code, "\(operation.rawValue) \(path): \(reason)", underlyingErrno: number)
    }
}
#endif

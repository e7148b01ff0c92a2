/// The error type shared by Ferry's storage, paths and file layers: a public, stable ``Code``, a diagnostic
/// message and, when a system call failed, the `errno` it reported.
///
/// New failure kinds are added as new codes without breaking callers that switch on the ones they know.
/// Frontends map codes to their wire statuses in one place each; messages are for logs, never for matching.
public struct FerryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// No entry exists at the path (or at one of its parents).
        public static let notFound = Code("notFound")
        /// An entry already exists where a new one was to be created.
        public static let alreadyExists = Code("alreadyExists")
        /// A directory was required but the entry is something else.
        public static let notADirectory = Code("notADirectory")
        /// The operation needs a non-directory but the entry is a directory.
        public static let isADirectory = Code("isADirectory")
        /// A directory could not be removed or replaced because it has entries.
        public static let directoryNotEmpty = Code("directoryNotEmpty")
        /// The operation is not allowed: by the system, by the storage root, or because it would follow a
        /// symbolic link out of the tree.
        public static let permissionDenied = Code("permissionDenied")
        /// A path is malformed: not UTF-8, contains NUL, is too long or too deep, or names a reserved entry.
        public static let invalidPath = Code("invalidPath")
        /// A path or a single name is longer than the storage accepts.
        public static let nameTooLong = Code("nameTooLong")
        /// An argument is out of range or the request makes no sense (moving a directory into itself).
        public static let invalidArgument = Code("invalidArgument")
        /// The storage has no room left.
        public static let noSpace = Code("noSpace")
        /// A quota was exceeded.
        public static let quotaExceeded = Code("quotaExceeded")
        /// The storage is read-only.
        public static let readOnly = Code("readOnly")
        /// The entry is in use and the operation cannot proceed now.
        public static let busy = Code("busy")
        /// The operation would cross a device or file-system boundary.
        public static let crossDevice = Code("crossDevice")
        /// The storage does not support this operation or this kind of entry.
        public static let unsupported = Code("unsupported")
        /// Any other input/output failure.
        public static let ioError = Code("ioError")
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable diagnostic; paths in it are user-relative, never host paths.
    public var message: String
    /// The `errno` reported by the failed system call, when there was one.
    public var underlyingErrno: Int32?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code callers match on.
    ///   - message: A diagnostic for logs.
    ///   - underlyingErrno: The `errno` of the failed system call, if any.
    public init(_ code: Code, _ message: String, underlyingErrno: Int32? = nil) {
        self.code = code
        self.message = message
        self.underlyingErrno = underlyingErrno
    }

    public var description: String {
        if let underlyingErrno {
            return "\(self.code): \(self.message) (errno \(underlyingErrno))"
        }
        return "\(self.code): \(self.message)"
    }
}

/// The error every VFS operation throws: a public, stable ``Code`` and a diagnostic message.
///
/// Frontends map codes to their wire statuses (SFTP `SSH_FX_*`, FTP replies) in one function each; messages are
/// for logs and for clients that show text, never for matching. New codes may be added without breaking
/// callers that switch on the ones they know.
public struct VFSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { self.name }

        /// No entry exists at the path (or at one of its parents).
        public static let noSuchFile = Code("noSuchFile")
        /// The user's permissions, a mount boundary or the storage forbid the operation.
        public static let permissionDenied = Code("permissionDenied")
        /// An entry already exists where a new one was to be created.
        public static let alreadyExists = Code("alreadyExists")
        /// A directory was required but the entry is something else.
        public static let notADirectory = Code("notADirectory")
        /// The operation needs a non-directory but the entry is a directory.
        public static let isADirectory = Code("isADirectory")
        /// A directory could not be removed or replaced because it has entries.
        public static let directoryNotEmpty = Code("directoryNotEmpty")
        /// The handle is unknown, already closed, or of the wrong kind for the operation.
        public static let invalidHandle = Code("invalidHandle")
        /// The session already holds as many open handles as it may.
        public static let tooManyHandles = Code("tooManyHandles")
        /// A write would make the file larger than the session allows.
        public static let fileTooLarge = Code("fileTooLarge")
        /// A quota was exceeded.
        public static let quotaExceeded = Code("quotaExceeded")
        /// The storage has no room left.
        public static let noSpace = Code("noSpace")
        /// The storage behind the path cannot do this (no rename on an object store, a rename across mounts…).
        public static let unsupported = Code("unsupported")
        /// A path or an argument is malformed or out of range.
        public static let invalidArgument = Code("invalidArgument")
        /// Any other failure.
        public static let failure = Code("failure")
    }

    /// The stable error code.
    public var code: Code
    /// A human-readable diagnostic; paths in it are the user's paths, never storage or host paths.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The stable code callers match on.
    ///   - message: A diagnostic for logs and clients.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}

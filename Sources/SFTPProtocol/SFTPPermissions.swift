/// The `permissions` field of `ATTRS` (draft-ietf-secsh-filexfer-02 §5): a POSIX `st_mode`, with the
/// file type in the `S_IFMT` bits and the access bits below them.
///
/// The option-set members are the twelve access bits. The file type is not a set of flags
/// (`S_IFLNK` shares bits with `S_IFREG`), so it is read and written through ``fileType``.
public struct SFTPPermissions: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A mode from a file type and access bits, such as `SFTPPermissions(fileType: .regular, mode: 0o644)`.
    public init(fileType: FileType?, mode: UInt32) {
        self.rawValue = (fileType?.rawValue ?? 0) | (mode & SFTPPermissions.accessMask)
    }

    /// `S_ISUID`.
    public static let setUserID = SFTPPermissions(rawValue: 0o4000)
    /// `S_ISGID`.
    public static let setGroupID = SFTPPermissions(rawValue: 0o2000)
    /// `S_ISVTX`, the sticky bit.
    public static let sticky = SFTPPermissions(rawValue: 0o1000)
    /// `S_IRUSR`.
    public static let ownerRead = SFTPPermissions(rawValue: 0o400)
    /// `S_IWUSR`.
    public static let ownerWrite = SFTPPermissions(rawValue: 0o200)
    /// `S_IXUSR`.
    public static let ownerExecute = SFTPPermissions(rawValue: 0o100)
    /// `S_IRGRP`.
    public static let groupRead = SFTPPermissions(rawValue: 0o040)
    /// `S_IWGRP`.
    public static let groupWrite = SFTPPermissions(rawValue: 0o020)
    /// `S_IXGRP`.
    public static let groupExecute = SFTPPermissions(rawValue: 0o010)
    /// `S_IROTH`.
    public static let othersRead = SFTPPermissions(rawValue: 0o004)
    /// `S_IWOTH`.
    public static let othersWrite = SFTPPermissions(rawValue: 0o002)
    /// `S_IXOTH`.
    public static let othersExecute = SFTPPermissions(rawValue: 0o001)

    /// The access bits, `0o7777` (permissions, set-id and sticky bits).
    public static let accessMask: UInt32 = 0o7777

    /// The kind of file, from the `S_IFMT` bits of the mode.
    public struct FileType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The `S_IFMT` bits, in place (for example `0o040000` for a directory).
        public var rawValue: UInt32

        public init(rawValue: UInt32) {
            self.rawValue = rawValue & FileType.mask
        }

        /// `S_IFMT`, the bits that hold the file type.
        public static let mask: UInt32 = 0o170000

        /// `S_IFIFO`, a named pipe.
        public static let fifo = FileType(rawValue: 0o010000)
        /// `S_IFCHR`, a character device.
        public static let characterDevice = FileType(rawValue: 0o020000)
        /// `S_IFDIR`, a directory.
        public static let directory = FileType(rawValue: 0o040000)
        /// `S_IFBLK`, a block device.
        public static let blockDevice = FileType(rawValue: 0o060000)
        /// `S_IFREG`, a regular file.
        public static let regular = FileType(rawValue: 0o100000)
        /// `S_IFLNK`, a symbolic link.
        public static let symbolicLink = FileType(rawValue: 0o120000)
        /// `S_IFSOCK`, a socket.
        public static let socket = FileType(rawValue: 0o140000)

        /// The character `ls -l` shows for the type: `-`, `d`, `l`, `p`, `s`, `c`, `b`, or `?`.
        public var symbol: Character {
            switch self {
            case .regular: "-"
            case .directory: "d"
            case .symbolicLink: "l"
            case .fifo: "p"
            case .socket: "s"
            case .characterDevice: "c"
            case .blockDevice: "b"
            default: "?"
            }
        }

        public var description: String {
            switch self {
            case .regular: "S_IFREG"
            case .directory: "S_IFDIR"
            case .symbolicLink: "S_IFLNK"
            case .fifo: "S_IFIFO"
            case .socket: "S_IFSOCK"
            case .characterDevice: "S_IFCHR"
            case .blockDevice: "S_IFBLK"
            default: "0o" + String(self.rawValue, radix: 8)
            }
        }
    }

    /// The file type, or `nil` when the type bits are zero (as in a `SETSTAT` that only changes
    /// access bits). Setting it replaces the type bits and keeps the access bits.
    public var fileType: FileType? {
        get {
            let bits = self.rawValue & FileType.mask
            return bits == 0 ? nil : FileType(rawValue: bits)
        }
        set {
            self.rawValue = (self.rawValue & ~FileType.mask) | (newValue?.rawValue ?? 0)
        }
    }

    /// The access bits alone (`rawValue & 0o7777`).
    public var mode: UInt32 { self.rawValue & SFTPPermissions.accessMask }

    /// Whether the type bits say directory (`S_ISDIR`).
    public var isDirectory: Bool { self.fileType == .directory }
    /// Whether the type bits say regular file (`S_ISREG`).
    public var isRegularFile: Bool { self.fileType == .regular }
    /// Whether the type bits say symbolic link (`S_ISLNK`).
    public var isSymbolicLink: Bool { self.fileType == .symbolicLink }

    /// The ten-character mode column of `ls -l`, such as `-rw-r--r--` or `drwxrwxrwt`: the type
    /// symbol, then `rwx` for owner, group and others, with `s`/`S` for set-id bits and `t`/`T` for
    /// the sticky bit (lower case when the execute bit under it is set). Zero type bits show as `?`.
    public var modeString: String {
        var text = String(self.fileType?.symbol ?? "?")
        func triple(_ read: Self, _ write: Self, _ execute: Self, _ special: Self, _ mark: Character) {
            text.append(self.contains(read) ? "r" : "-")
            text.append(self.contains(write) ? "w" : "-")
            switch (self.contains(execute), self.contains(special)) {
            case (true, true): text.append(mark)
            case (false, true): text.append(Character(mark.uppercased()))
            case (true, false): text.append("x")
            case (false, false): text.append("-")
            }
        }
        triple(.ownerRead, .ownerWrite, .ownerExecute, .setUserID, "s")
        triple(.groupRead, .groupWrite, .groupExecute, .setGroupID, "s")
        triple(.othersRead, .othersWrite, .othersExecute, .sticky, "t")
        return text
    }

    /// The mode in octal, such as `0o100644`.
    public var description: String { "0o" + String(self.rawValue, radix: 8) }
}

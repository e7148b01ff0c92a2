import FerryCore
import Storage

/// How a file is opened for writing, as SFTP's `SSH_FXF_*` and FTP's `STOR`/`APPE` ask.
public struct VFSOpenFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    /// Creates flags from their bits.
    ///
    /// - Parameter rawValue: The bits.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// Create the file if it is missing.
    public static let create = VFSOpenFlags(rawValue: 1 << 0)
    /// Start from an empty file even if one exists.
    public static let truncate = VFSOpenFlags(rawValue: 1 << 1)
    /// Fail if the file exists (implies ``create``).
    public static let exclusive = VFSOpenFlags(rawValue: 1 << 2)
    /// Every write goes to the end of the file, whatever its offset.
    public static let append = VFSOpenFlags(rawValue: 1 << 3)
}

/// What opening a file for writing will do, decided by ``decide(flags:existing:)``.
struct VFSOpenPlan: Sendable, Hashable {
    /// The permission the open needs: `upload` for a new file, `overwrite` for an existing one.
    var permission: VFSPermission
    /// What the file starts as.
    var initialContents: InitialContents
    /// Whether every write goes to the end.
    var appends: Bool
    /// Whether the file must still be missing when published.
    var exclusive: Bool

    /// The one table of open-flag semantics.
    ///
    /// | existing   | flags                 | result                                  |
    /// |------------|-----------------------|-----------------------------------------|
    /// | directory  | any                   | `isADirectory`                          |
    /// | missing    | no create/exclusive   | `noSuchFile`                            |
    /// | missing    | create or exclusive   | new empty file, needs `upload`          |
    /// | file       | exclusive             | `alreadyExists`                         |
    /// | file       | truncate              | empty file replaces it, needs `overwrite` |
    /// | file       | otherwise             | starts from its contents, needs `overwrite`; `append` writes at the end |
    ///
    /// - Parameters:
    ///   - flags: The requested flags.
    ///   - existing: The kind of the entry at the path, or `nil` if there is none.
    ///   - path: The user path, for messages.
    /// - Returns: The plan.
    /// - Throws: ``VFSError`` as the table says.
    static func decide(flags: VFSOpenFlags, existing: FileKind?, path: FerryPath) throws -> VFSOpenPlan {
        let exclusive = flags.contains(.exclusive)
        let appends = flags.contains(.append)
        switch existing {
        case .directory:
            throw VFSError(.isADirectory, "\(path) is a directory")
        case nil:
            guard flags.contains(.create) || exclusive else {
                throw VFSError(.noSuchFile, "\(path) does not exist")
            }
            return VFSOpenPlan(permission: .upload, initialContents: .empty, appends: appends, exclusive: exclusive)
        case .file, .symlink, .other:
            if exclusive {
                throw VFSError(.alreadyExists, "\(path) already exists")
            }
            let initial: InitialContents = flags.contains(.truncate) ? .empty : .existing
            return VFSOpenPlan(permission: .overwrite, initialContents: initial, appends: appends, exclusive: false)
        }
    }
}

import FerryCore

/// A backend whose entries' attributes can be changed.
///
/// Permission, ownership and time changes apply to the entry itself and never follow a final symbolic link;
/// truncation changes content and follows it inside the root.
public protocol AttributeSetting: Storage {
    /// Changes an entry's permission bits.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - permissions: The new bits.
    /// - Throws: ``FerryError`` (`notFound`, `unsupported` for a symbolic link on Linux, `permissionDenied`…).
    func setPermissions(_ path: FerryPath, to permissions: FilePermissions) async throws

    /// Changes an entry's numeric owner and/or group.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - uid: The new owner, or `nil` to keep it.
    ///   - gid: The new group, or `nil` to keep it.
    /// - Throws: ``FerryError`` (`notFound`, `permissionDenied`…).
    func setOwner(_ path: FerryPath, uid: UInt32?, gid: UInt32?) async throws

    /// Changes an entry's access and/or modification time.
    ///
    /// - Parameters:
    ///   - path: The entry.
    ///   - accessTime: The new access time, or `nil` to keep it.
    ///   - modificationTime: The new modification time, or `nil` to keep it.
    /// - Throws: ``FerryError`` (`notFound`, `permissionDenied`…).
    func setTimes(_ path: FerryPath, accessTime: FileTimestamp?, modificationTime: FileTimestamp?) async throws

    /// Cuts or extends (with zeros) a file in place.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - size: The new size in bytes.
    /// - Throws: ``FerryError`` (`notFound`, `isADirectory`…).
    func truncate(_ path: FerryPath, to size: UInt64) async throws
}

import NIOCore

/// The `ATTRS` compound type (draft-ietf-secsh-filexfer-02 §5): a `flags` word saying which of the
/// optional fields follow.
///
/// Each optional property here is one flag: `nil` means the flag is clear and the field absent.
/// `SSH_FILEXFER_ATTR_UIDGID` and `SSH_FILEXFER_ATTR_ACMODTIME` each cover two fields, which is why
/// ``ownership`` and ``times`` are pairs. An empty ``extended`` list clears
/// `SSH_FILEXFER_ATTR_EXTENDED`; a received `extended_count` of zero therefore decodes to the same
/// value as an absent one.
public struct SFTPFileAttributes: Hashable, Sendable {
    /// The `flags` bits (§5).
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `SSH_FILEXFER_ATTR_SIZE`.
        public static let size = Flags(rawValue: 0x0000_0001)
        /// `SSH_FILEXFER_ATTR_UIDGID`.
        public static let userGroupIDs = Flags(rawValue: 0x0000_0002)
        /// `SSH_FILEXFER_ATTR_PERMISSIONS`.
        public static let permissions = Flags(rawValue: 0x0000_0004)
        /// `SSH_FILEXFER_ATTR_ACMODTIME`.
        public static let accessModificationTimes = Flags(rawValue: 0x0000_0008)
        /// `SSH_FILEXFER_ATTR_EXTENDED`.
        public static let extended = Flags(rawValue: 0x8000_0000)

        /// Every flag version 3 defines; any other bit makes the attributes malformed (§5: "It is a
        /// protocol error if a packet with unsupported protocol bits is received").
        public static let all: Flags = [.size, .userGroupIDs, .permissions, .accessModificationTimes, .extended]
    }

    /// The numeric owner and group (`uid`, `gid`).
    public struct Ownership: Hashable, Sendable {
        /// The owner (`uid`).
        public var userID: UInt32
        /// The group (`gid`).
        public var groupID: UInt32
        /// Creates a value from its fields.
        public init(userID: UInt32, groupID: UInt32) {
            self.userID = userID
            self.groupID = groupID
        }
    }

    /// Access and modification times in seconds since 1970-01-01 00:00 UTC (`atime`, `mtime`).
    public struct Times: Hashable, Sendable {
        /// The last access (`atime`).
        public var accessTime: UInt32
        /// The last modification (`mtime`).
        public var modificationTime: UInt32
        /// Creates a value from its fields.
        public init(accessTime: UInt32, modificationTime: UInt32) {
            self.accessTime = accessTime
            self.modificationTime = modificationTime
        }
    }

    /// One `extended_type`/`extended_data` pair. The type should be `name@domain`; its data is
    /// opaque to this codec.
    public struct ExtendedAttribute: Hashable, Sendable {
        /// The `extended_type`, normally `name@domain`.
        public var type: String
        /// The `extended_data`.
        public var data: [UInt8]
        /// Creates a value from its fields.
        public init(type: String, data: [UInt8]) {
            self.type = type
            self.data = data
        }
    }

    /// The file size in bytes.
    public var size: UInt64?
    /// The numeric owner and group.
    public var ownership: Ownership?
    /// The POSIX mode: file type and access bits.
    public var permissions: SFTPPermissions?
    /// Access and modification times.
    public var times: Times?
    /// Vendor-specific attributes, in order.
    public var extended: [ExtendedAttribute]

    /// Attributes with the given fields present; with no arguments, the empty `ATTRS` (flags 0) that
    /// REALPATH and READLINK replies use as their "dummy attributes value" (§6.10, §6.11).
    public init(
        size: UInt64? = nil,
        ownership: Ownership? = nil,
        permissions: SFTPPermissions? = nil,
        times: Times? = nil,
        extended: [ExtendedAttribute] = []
    ) {
        self.size = size
        self.ownership = ownership
        self.permissions = permissions
        self.times = times
        self.extended = extended
    }

    /// The `flags` word these attributes encode with.
    public var flags: Flags {
        var flags: Flags = []
        if self.size != nil { flags.insert(.size) }
        if self.ownership != nil { flags.insert(.userGroupIDs) }
        if self.permissions != nil { flags.insert(.permissions) }
        if self.times != nil { flags.insert(.accessModificationTimes) }
        if !self.extended.isEmpty { flags.insert(.extended) }
        return flags
    }
}

extension ByteBuffer {
    /// Reads `ATTRS` (draft-ietf-secsh-filexfer-02 §5).
    ///
    /// - Throws: `SFTPError.Code.badMessage` when truncated or when `flags` has a bit version 3 does
    ///   not define; the reader index is then unchanged.
    public mutating func readSFTPFileAttributes() throws(SFTPError) -> SFTPFileAttributes {
        try self.readSFTPValue("ATTRS") { $0.readAttributes() }
    }

    /// Writes `ATTRS` (draft-ietf-secsh-filexfer-02 §5).
    @discardableResult
    public mutating func writeSFTPFileAttributes(_ attributes: SFTPFileAttributes) -> Int {
        let start = self.writerIndex
        self.writeInteger(attributes.flags.rawValue)
        if let size = attributes.size {
            self.writeInteger(size)
        }
        if let ownership = attributes.ownership {
            self.writeMultipleIntegers(ownership.userID, ownership.groupID)
        }
        if let permissions = attributes.permissions {
            self.writeInteger(permissions.rawValue)
        }
        if let times = attributes.times {
            self.writeMultipleIntegers(times.accessTime, times.modificationTime)
        }
        if !attributes.extended.isEmpty {
            self.writeInteger(UInt32(truncatingIfNeeded: attributes.extended.count))
            for attribute in attributes.extended {
                self.writeSFTPString(attribute.type)
                self.writeSFTPString(attribute.data)
            }
        }
        return self.writerIndex - start
    }

    /// Reads `ATTRS`, or `nil` when truncated or malformed (the reader index is then unspecified).
    mutating func readAttributes() -> SFTPFileAttributes? {
        guard let rawFlags = self.readInteger(as: UInt32.self) else { return nil }
        let flags = SFTPFileAttributes.Flags(rawValue: rawFlags)
        guard SFTPFileAttributes.Flags.all.isSuperset(of: flags) else { return nil }
        var attributes = SFTPFileAttributes()
        if flags.contains(.size) {
            guard let size = self.readInteger(as: UInt64.self) else { return nil }
            attributes.size = size
        }
        if flags.contains(.userGroupIDs) {
            guard let (uid, gid) = self.readMultipleIntegers(as: (UInt32, UInt32).self) else { return nil }
            attributes.ownership = .init(userID: uid, groupID: gid)
        }
        if flags.contains(.permissions) {
            guard let mode = self.readInteger(as: UInt32.self) else { return nil }
            attributes.permissions = SFTPPermissions(rawValue: mode)
        }
        if flags.contains(.accessModificationTimes) {
            guard let (atime, mtime) = self.readMultipleIntegers(as: (UInt32, UInt32).self) else { return nil }
            attributes.times = .init(accessTime: atime, modificationTime: mtime)
        }
        if flags.contains(.extended) {
            // Each pair takes at least eight bytes, which bounds the count before anything is reserved.
            guard let count = self.readInteger(as: UInt32.self), Int(count) <= self.readableBytes / 8 else {
                return nil
            }
            attributes.extended.reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let type = self.readSFTPText(), let data = self.readSFTPBytes() else { return nil }
                attributes.extended.append(.init(type: type, data: data))
            }
        }
        return attributes
    }
}

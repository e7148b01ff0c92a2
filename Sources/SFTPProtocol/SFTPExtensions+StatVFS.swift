import NIOCore

// OpenSSH PROTOCOL §4.4: statvfs@openssh.com and fstatvfs@openssh.com, version "2".

extension SFTPExtensions {
    /// `statvfs@openssh.com` (OpenSSH PROTOCOL §4.4): file system statistics for the file system
    /// holding `path`. Answered by `SSH_FXP_EXTENDED_REPLY` with a ``StatVFSReply``, or
    /// `SSH_FXP_STATUS`.
    public struct StatVFS: SFTPExtendedRequestPayload {
        public static let extensionName = "statvfs@openssh.com"
        public static let extensionVersion = "2"

        /// The path the request names (§6.2).
        public var path: SFTPPath

        /// Creates the payload from its fields.
        public init(path: SFTPPath) {
            self.path = path
        }

        public static func read(from payload: inout ByteBuffer) -> StatVFS? {
            payload.readSFTPPath().map(StatVFS.init(path:))
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPPath(self.path)
        }
    }

    /// `fstatvfs@openssh.com` (OpenSSH PROTOCOL §4.4): ``StatVFS`` for the file system holding an open
    /// file. Answered by `SSH_FXP_EXTENDED_REPLY` with a ``StatVFSReply``, or `SSH_FXP_STATUS`.
    public struct FStatVFS: SFTPExtendedRequestPayload {
        public static let extensionName = "fstatvfs@openssh.com"
        public static let extensionVersion = "2"

        /// A handle returned by SSH_FXP_OPEN or SSH_FXP_OPENDIR.
        public var handle: SFTPHandle

        /// Creates the payload from its fields.
        public init(handle: SFTPHandle) {
            self.handle = handle
        }

        public static func read(from payload: inout ByteBuffer) -> FStatVFS? {
            payload.readSFTPHandle().map(FStatVFS.init(handle:))
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeSFTPHandle(self.handle)
        }
    }

    /// The reply to ``StatVFS`` and ``FStatVFS`` (OpenSSH PROTOCOL §4.4): the eleven `statvfs(3)`
    /// fields, each a `uint64` in this order.
    public struct StatVFSReply: SFTPExtendedReplyPayload {
        /// The `f_flag` bits.
        public struct Flags: OptionSet, Hashable, Sendable {
            public var rawValue: UInt64
            public init(rawValue: UInt64) { self.rawValue = rawValue }

            /// `SSH_FXE_STATVFS_ST_RDONLY`: mounted read-only.
            public static let readOnly = Flags(rawValue: 0x1)
            /// `SSH_FXE_STATVFS_ST_NOSUID`: set-id bits are ignored.
            public static let noSetID = Flags(rawValue: 0x2)
        }

        /// `f_bsize`: the file system block size.
        public var blockSize: UInt64
        /// `f_frsize`: the fundamental block size, the unit of the block counts.
        public var fragmentSize: UInt64
        /// `f_blocks`: the size of the file system, in `fragmentSize` units.
        public var totalBlocks: UInt64
        /// `f_bfree`: free blocks.
        public var freeBlocks: UInt64
        /// `f_bavail`: free blocks available to unprivileged users.
        public var availableBlocks: UInt64
        /// `f_files`: total inodes.
        public var totalFileNodes: UInt64
        /// `f_ffree`: free inodes.
        public var freeFileNodes: UInt64
        /// `f_favail`: free inodes available to unprivileged users.
        public var availableFileNodes: UInt64
        /// `f_fsid`: the file system id.
        public var fileSystemID: UInt64
        /// `f_flag`: mount flags.
        public var flags: Flags
        /// `f_namemax`: the longest file name.
        public var maximumNameLength: UInt64

        /// Creates the payload from its fields.
        public init(
            blockSize: UInt64,
            fragmentSize: UInt64,
            totalBlocks: UInt64,
            freeBlocks: UInt64,
            availableBlocks: UInt64,
            totalFileNodes: UInt64,
            freeFileNodes: UInt64,
            availableFileNodes: UInt64,
            fileSystemID: UInt64,
            flags: Flags,
            maximumNameLength: UInt64
        ) {
            self.blockSize = blockSize
            self.fragmentSize = fragmentSize
            self.totalBlocks = totalBlocks
            self.freeBlocks = freeBlocks
            self.availableBlocks = availableBlocks
            self.totalFileNodes = totalFileNodes
            self.freeFileNodes = freeFileNodes
            self.availableFileNodes = availableFileNodes
            self.fileSystemID = fileSystemID
            self.flags = flags
            self.maximumNameLength = maximumNameLength
        }

        public static func read(from payload: inout ByteBuffer) -> StatVFSReply? {
            guard payload.readableBytes >= 11 * 8 else { return nil }
            var fields: [UInt64] = []
            for _ in 0..<11 { fields.append(payload.readInteger(as: UInt64.self)!) }
            return StatVFSReply(
                blockSize: fields[0],
                fragmentSize: fields[1],
                totalBlocks: fields[2],
                freeBlocks: fields[3],
                availableBlocks: fields[4],
                totalFileNodes: fields[5],
                freeFileNodes: fields[6],
                availableFileNodes: fields[7],
                fileSystemID: fields[8],
                flags: Flags(rawValue: fields[9]),
                maximumNameLength: fields[10]
            )
        }

        public func write(to payload: inout ByteBuffer) {
            payload.writeMultipleIntegers(
                self.blockSize,
                self.fragmentSize,
                self.totalBlocks,
                self.freeBlocks,
                self.availableBlocks,
                self.totalFileNodes
            )
            payload.writeMultipleIntegers(
                self.freeFileNodes,
                self.availableFileNodes,
                self.fileSystemID,
                self.flags.rawValue,
                self.maximumNameLength
            )
        }
    }
}

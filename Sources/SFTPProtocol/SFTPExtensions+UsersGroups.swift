import NIOCore

// OpenSSH PROTOCOL §4.12: users-groups-by-id@openssh.com.

extension SFTPExtensions {
    /// `users-groups-by-id@openssh.com` (OpenSSH PROTOCOL §4.12): the user and group names for
    /// numeric ids, for directory listings. Answered by `SSH_FXP_EXTENDED_REPLY` with a
    /// ``UsersGroupsByIDReply``.
    ///
    /// On the wire each list is one `string` whose contents are the ids as consecutive `uint32`s.
    public struct UsersGroupsByID: SFTPExtendedRequestPayload {
        public static let extensionName = "users-groups-by-id@openssh.com"
        public static let extensionVersion = "1"

        /// User ids to name; may be empty.
        public var userIDs: [UInt32]
        /// Group ids to name; may be empty.
        public var groupIDs: [UInt32]

        /// Creates the payload from its fields.
        public init(userIDs: [UInt32], groupIDs: [UInt32]) {
            self.userIDs = userIDs
            self.groupIDs = groupIDs
        }

        public static func read(from payload: inout ByteBuffer) -> UsersGroupsByID? {
            guard let users = payload.readSFTPString().flatMap(Self.ids(in:)),
                let groups = payload.readSFTPString().flatMap(Self.ids(in:))
            else { return nil }
            return UsersGroupsByID(userIDs: users, groupIDs: groups)
        }

        public func write(to payload: inout ByteBuffer) {
            for ids in [self.userIDs, self.groupIDs] {
                payload.writeSFTPString { buffer in
                    for id in ids { buffer.writeInteger(id) }
                }
            }
        }

        /// The `uint32`s filling `list`, or `nil` when its length is not a multiple of four.
        private static func ids(in list: ByteBuffer) -> [UInt32]? {
            guard list.readableBytes % 4 == 0 else { return nil }
            var list = list
            var ids: [UInt32] = []
            ids.reserveCapacity(list.readableBytes / 4)
            while let id = list.readInteger(as: UInt32.self) { ids.append(id) }
            return ids
        }
    }

    /// The reply to ``UsersGroupsByID`` (OpenSSH PROTOCOL §4.12): one name per requested id, in request
    /// order, empty where the server knows no name.
    ///
    /// On the wire each list is one `string` whose contents are consecutive `string`s.
    public struct UsersGroupsByIDReply: SFTPExtendedReplyPayload {
        /// One name per requested user id, in order; empty when unknown.
        public var userNames: [String]
        /// One name per requested group id, in order; empty when unknown.
        public var groupNames: [String]

        /// Creates the payload from its fields.
        public init(userNames: [String], groupNames: [String]) {
            self.userNames = userNames
            self.groupNames = groupNames
        }

        public static func read(from payload: inout ByteBuffer) -> UsersGroupsByIDReply? {
            guard let users = payload.readSFTPString().flatMap(Self.names(in:)),
                let groups = payload.readSFTPString().flatMap(Self.names(in:))
            else { return nil }
            return UsersGroupsByIDReply(userNames: users, groupNames: groups)
        }

        public func write(to payload: inout ByteBuffer) {
            for names in [self.userNames, self.groupNames] {
                payload.writeSFTPString { buffer in
                    for name in names { buffer.writeSFTPString(name) }
                }
            }
        }

        /// The `string`s filling `list` exactly, or `nil` when the last one is cut short.
        private static func names(in list: ByteBuffer) -> [String]? {
            var list = list
            var names: [String] = []
            while list.readableBytes > 0 {
                guard let name = list.readSFTPText() else { return nil }
                names.append(name)
            }
            return names
        }
    }
}

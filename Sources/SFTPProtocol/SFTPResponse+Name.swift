import NIOCore

// draft-ietf-secsh-filexfer-02 §7: the name response, for READDIR, REALPATH and READLINK (and
// OpenSSH's expand-path@openssh.com and home-directory).

extension SFTPResponse {
    /// `SSH_FXP_NAME` (§7): one or more names with their attributes.
    public struct Name: Hashable, Sendable {
        /// The id of the request this answers (§7).
        public var requestID: UInt32
        /// The names, in the server's order.
        public var entries: [SFTPNameEntry]

        /// Creates the message from its fields.
        public init(requestID: UInt32, entries: [SFTPNameEntry]) {
            self.requestID = requestID
            self.entries = entries
        }
    }
}

/// One name of an `SSH_FXP_NAME` response (draft-ietf-secsh-filexfer-02 §7).
public struct SFTPNameEntry: Hashable, Sendable {
    /// For `READDIR`, a name within the directory; for `REALPATH`, an absolute path; for `READLINK`,
    /// the link's target.
    public var filename: SFTPPath
    /// A display line for the name; for `READDIR`, OpenSSH's `sftp-server` sends an `ls -l` line (see
    /// ``SFTPLongName``) and for `REALPATH` the path again. Clients SHOULD NOT parse it. Invalid
    /// UTF-8 is replaced when decoding.
    public var longname: String
    /// The name's attributes; empty (flags 0) in `REALPATH` and `READLINK` replies.
    public var attributes: SFTPFileAttributes

    /// Creates the message from its fields.
    public init(filename: SFTPPath, longname: String, attributes: SFTPFileAttributes = SFTPFileAttributes()) {
        self.filename = filename
        self.longname = longname
        self.attributes = attributes
    }
}

extension ByteBuffer {
    mutating func readSFTPName(requestID: UInt32) -> SFTPResponse.Name? {
        // Each entry takes at least twelve bytes, which bounds the count before anything is reserved.
        guard let count = self.readInteger(as: UInt32.self), Int(count) <= self.readableBytes / 12 else {
            return nil
        }
        var entries: [SFTPNameEntry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let filename = self.readSFTPPath(), let longname = self.readSFTPText(),
                let attributes = self.readAttributes()
            else { return nil }
            entries.append(SFTPNameEntry(filename: filename, longname: longname, attributes: attributes))
        }
        return .init(requestID: requestID, entries: entries)
    }

    mutating func writeSFTPName(_ message: SFTPResponse.Name) {
        self.writeMultipleIntegers(message.requestID, UInt32(truncatingIfNeeded: message.entries.count))
        for entry in message.entries {
            self.writeSFTPPath(entry.filename)
            self.writeSFTPString(entry.longname)
            self.writeSFTPFileAttributes(entry.attributes)
        }
    }
}

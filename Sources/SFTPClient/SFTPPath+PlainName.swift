import SFTPProtocol

extension SFTPPath {
    /// Whether this is one plain name, safe to join to a local folder: not empty, not `.` or `..`, and without
    /// `/` or NUL. Names in a directory listing come from the server; one that is not plain (a hostile or broken
    /// server sending `../../.profile`) must never become a local path.
    public var isPlainName: Bool {
        guard !self.bytes.isEmpty, self.bytes != [0x2E], self.bytes != [0x2E, 0x2E] else { return false }
        return !self.bytes.contains(0x2F) && !self.bytes.contains(0)
    }
}

/// The `pflags` of `SSH_FXP_OPEN` (draft-ietf-secsh-filexfer-02 §6.3).
public struct SFTPOpenFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `SSH_FXF_READ`: open for reading.
    public static let read = SFTPOpenFlags(rawValue: 0x0000_0001)
    /// `SSH_FXF_WRITE`: open for writing (with ``read``, for both).
    public static let write = SFTPOpenFlags(rawValue: 0x0000_0002)
    /// `SSH_FXF_APPEND`: every write appends at the end of the file.
    public static let append = SFTPOpenFlags(rawValue: 0x0000_0004)
    /// `SSH_FXF_CREAT`: create the file if it does not exist.
    public static let create = SFTPOpenFlags(rawValue: 0x0000_0008)
    /// `SSH_FXF_TRUNC`: truncate an existing file to zero length; requires ``create``.
    public static let truncate = SFTPOpenFlags(rawValue: 0x0000_0010)
    /// `SSH_FXF_EXCL`: fail if the file exists; requires ``create``.
    public static let exclusive = SFTPOpenFlags(rawValue: 0x0000_0020)

    /// The flags in the draft's spelling joined by `|`, such as `READ|WRITE|CREAT`; unknown bits in hex.
    public var description: String {
        let names: [(SFTPOpenFlags, String)] = [
            (.read, "READ"), (.write, "WRITE"), (.append, "APPEND"),
            (.create, "CREAT"), (.truncate, "TRUNC"), (.exclusive, "EXCL"),
        ]
        var parts = names.filter { self.contains($0.0) }.map(\.1)
        let unknown = self.rawValue & ~0x3F
        if unknown != 0 { parts.append("0x" + String(unknown, radix: 16)) }
        return parts.isEmpty ? "0" : parts.joined(separator: "|")
    }
}

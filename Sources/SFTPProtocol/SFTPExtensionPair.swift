/// One `extension_name`/`extension_data` pair of `SSH_FXP_INIT` or `SSH_FXP_VERSION`
/// (draft-ietf-secsh-filexfer-02 §4).
///
/// OpenSSH announces each extension it supports with its version number as ASCII text in `data`,
/// such as `"1"` (OpenSSH PROTOCOL §4.2). Both strings are decoded leniently (invalid UTF-8 is
/// replaced), since §4 requires unknown extensions to be ignored, not refused.
public struct SFTPExtensionPair: Hashable, Sendable, CustomStringConvertible {
    /// The extension name, normally `name@domain`.
    public var name: String
    /// The extension data; for OpenSSH's announcements, the extension's version.
    public var data: String

    /// A pair.
    public init(name: String, data: String) {
        self.name = name
        self.data = data
    }

    public var description: String { "\(self.name)=\(self.data)" }
}

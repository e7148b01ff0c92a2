/// A file name or path as it travels on the wire: a `string` of bytes (draft-ietf-secsh-filexfer-02 §6.2).
///
/// Version 3 of the protocol does not fix an encoding for names, and OpenSSH's `sftp-server` passes
/// them to the file system byte for byte. This type keeps the bytes exactly, so a name that is not
/// UTF-8 (an old Latin-1 file, say) still round-trips; ``string`` is the name as text when it is
/// valid UTF-8.
public struct SFTPPath: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name's bytes, without a terminator.
    public var bytes: [UInt8]

    /// A name from its bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    /// A name from text, encoded as UTF-8.
    public init(_ string: String) {
        self.bytes = Array(string.utf8)
    }

    /// A name from a string literal, encoded as UTF-8.
    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The name as text, or `nil` when its bytes are not valid UTF-8.
    public var string: String? {
        String(validating: self.bytes, as: UTF8.self)
    }

    /// The name as text, with invalid UTF-8 replaced (U+FFFD), for display and logs.
    public var description: String {
        String(decoding: self.bytes, as: UTF8.self)
    }

    /// Whether the name is empty, which §6.2 defines as the user's default directory.
    public var isEmpty: Bool { self.bytes.isEmpty }
}

/// An open file or directory handle (draft-ietf-secsh-filexfer-02 §6): an opaque `string` chosen by
/// the server and returned unchanged by the client.
///
/// The bytes are copied out of the packet so that a stored handle never keeps a large receive
/// buffer alive.
public struct SFTPHandle: Hashable, Sendable, CustomStringConvertible {
    /// The longest handle a server may issue (draft-ietf-secsh-filexfer-02 §6, §7: 256 bytes).
    ///
    /// The decoder does not enforce it (a longer handle simply matches nothing on a server); servers
    /// must not create longer ones.
    public static let maximumLength = 256

    /// The handle's bytes.
    public var bytes: [UInt8]

    /// A handle from its bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        self.bytes = Array(bytes)
    }

    /// The handle in hex, for logs.
    public var description: String {
        self.bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

extension FerryPath {
    /// Parses a path written by a client.
    ///
    /// An input starting with `/` is absolute; any other input (including the empty string) is relative to
    /// `base`. Repeated slashes and `.` are dropped, `..` removes the previous name and stops at the root.
    /// Slashes are found byte by byte, so no Unicode sequence can hide one inside a name.
    ///
    /// - Parameters:
    ///   - input: The path as the client wrote it.
    ///   - base: The working directory that relative input is resolved against.
    ///   - limits: Bounds on the input and on the result.
    /// - Throws: ``FerryError`` with code ``FerryError/Code/invalidPath`` if the input contains NUL, or the input
    ///   or the result breaks `limits`.
    public init(parsing input: String, relativeTo base: FerryPath = .root, limits: Limits = .default) throws {
        let bytes = input.utf8
        if bytes.count > limits.maximumLength {
            throw FerryError(.invalidPath, "path longer than \(limits.maximumLength) bytes")
        }
        if bytes.contains(0) {
            throw FerryError(.invalidPath, "path contains NUL")
        }
        var components = bytes.first == UInt8(ascii: "/") ? [] : base.components
        for piece in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if piece.elementsEqual(".".utf8) {
                continue
            }
            if piece.elementsEqual("..".utf8) {
                _ = components.popLast()
                continue
            }
            if piece.count > limits.maximumNameLength {
                throw FerryError(.invalidPath, "name longer than \(limits.maximumNameLength) bytes")
            }
            // The split happens at an ASCII byte, so each piece of valid UTF-8 is valid UTF-8.
            components.append(String(decoding: piece, as: UTF8.self))
        }
        let path = FerryPath(validatedComponents: components)
        try path.check(limits)
        self = path
    }

    /// Parses a path received as bytes, as SFTP and FTP carry them.
    ///
    /// - Parameters:
    ///   - bytes: The path as the client sent it.
    ///   - base: The working directory that relative input is resolved against.
    ///   - limits: Bounds on the input and on the result.
    /// - Throws: ``FerryError`` with code ``FerryError/Code/invalidPath`` if the bytes are not UTF-8, contain NUL,
    ///   or break `limits`.
    public init(
        parsing bytes: some Collection<UInt8>,
        relativeTo base: FerryPath = .root,
        limits: Limits = .default
    ) throws {
        if bytes.count > limits.maximumLength {
            throw FerryError(.invalidPath, "path longer than \(limits.maximumLength) bytes")
        }
        if bytes.contains(0) {
            throw FerryError(.invalidPath, "path contains NUL")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw FerryError(.invalidPath, "path is not valid UTF-8")
        }
        try self.init(parsing: text, relativeTo: base, limits: limits)
    }
}

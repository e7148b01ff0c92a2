extension FerryPath {
    /// Bounds on the paths Ferry accepts, so that client input cannot make paths arbitrarily long or deep.
    public struct Limits: Sendable, Hashable {
        /// The longest accepted path, in UTF-8 bytes; applies to the input as written and to the normalised
        /// result.
        public var maximumLength: Int
        /// The most names a normalised path may have.
        public var maximumDepth: Int
        /// The longest accepted single name, in UTF-8 bytes.
        public var maximumNameLength: Int

        /// Creates limits.
        ///
        /// - Parameters:
        ///   - maximumLength: The longest accepted path in bytes.
        ///   - maximumDepth: The most names in a path.
        ///   - maximumNameLength: The longest accepted name in bytes.
        public init(maximumLength: Int = 4096, maximumDepth: Int = 256, maximumNameLength: Int = 255) {
            self.maximumLength = maximumLength
            self.maximumDepth = maximumDepth
            self.maximumNameLength = maximumNameLength
        }

        /// 4096 bytes, 256 names, 255 bytes per name: what Linux file systems accept.
        public static let `default` = Limits()
    }

    /// Checks one name against the rules every component follows.
    static func validate(name: String, limits: Limits) throws {
        let bytes = name.utf8
        if bytes.isEmpty {
            throw FerryError(.invalidPath, "empty name")
        }
        if bytes.elementsEqual(".".utf8) || bytes.elementsEqual("..".utf8) {
            throw FerryError(.invalidPath, "'.' and '..' are not names")
        }
        if bytes.contains(0) {
            throw FerryError(.invalidPath, "name contains NUL")
        }
        if bytes.contains(UInt8(ascii: "/")) {
            throw FerryError(.invalidPath, "name contains '/'")
        }
        if bytes.count > limits.maximumNameLength {
            throw FerryError(.invalidPath, "name longer than \(limits.maximumNameLength) bytes")
        }
    }

    /// Checks the whole path against the length and depth limits.
    func check(_ limits: Limits) throws {
        if self.components.count > limits.maximumDepth {
            throw FerryError(.invalidPath, "path deeper than \(limits.maximumDepth) names")
        }
        let length = self.components.reduce(0) { $0 + 1 + $1.utf8.count }
        if length > limits.maximumLength {
            throw FerryError(.invalidPath, "path longer than \(limits.maximumLength) bytes")
        }
    }
}

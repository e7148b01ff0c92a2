/// An fnmatch-style pattern over a path relative to the source directory.
///
/// `*` matches any run of characters except `/`; `?` one character except `/`; `[abc]`, `[a-z]` and `[!a-z]`
/// (or `[^a-z]`) one character of (or not of) a set; `**` any run including `/`, and `**/` zero or more whole
/// directories (so `**/*.csv` matches `a.csv` and `x/y/a.csv`); `\` makes the next character literal. The whole
/// path must match.
public struct MirrorGlob: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let characters: [Character]

    /// Creates a pattern.
    ///
    /// - Parameter pattern: The pattern.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.characters = Array(pattern)
    }

    /// The pattern as written.
    public var description: String { self.pattern }

    /// Whether `path` matches.
    ///
    /// - Parameter path: A relative path, `/`-separated.
    /// - Returns: True on a match.
    public func matches(_ path: String) -> Bool {
        let text = Array(path)
        var memo = [Bool?](repeating: nil, count: (self.characters.count + 1) * (text.count + 1))
        return self.match(0, text, 0, &memo)
    }

    public static func == (lhs: MirrorGlob, rhs: MirrorGlob) -> Bool { lhs.pattern == rhs.pattern }

    private func match(_ p: Int, _ text: [Character], _ t: Int, _ memo: inout [Bool?]) -> Bool {
        let key = p * (text.count + 1) + t
        if let known = memo[key] { return known }
        let result = self.compute(p, text, t, &memo)
        memo[key] = result
        return result
    }

    private func compute(_ p: Int, _ text: [Character], _ t: Int, _ memo: inout [Bool?]) -> Bool {
        let pattern = self.characters
        guard p < pattern.count else { return t == text.count }
        switch pattern[p] {
        case "*":
            if p + 1 < pattern.count && pattern[p + 1] == "*" {
                var next = p + 2
                // `**/` may also match nothing at all (zero directories).
                if next < pattern.count && pattern[next] == "/" {
                    if self.match(next + 1, text, t, &memo) { return true }
                    next = p + 2
                }
                var index = t
                while true {
                    if self.match(next, text, index, &memo) { return true }
                    if index == text.count { return false }
                    index += 1
                }
            }
            var index = t
            while true {
                if self.match(p + 1, text, index, &memo) { return true }
                if index == text.count || text[index] == "/" { return false }
                index += 1
            }
        case "?":
            guard t < text.count, text[t] != "/" else { return false }
            return self.match(p + 1, text, t + 1, &memo)
        case "[":
            guard t < text.count, text[t] != "/" else { return false }
            guard let (matched, end) = self.matchClass(at: p, text[t]) else {
                return text[t] == "[" && self.match(p + 1, text, t + 1, &memo)
            }
            return matched && self.match(end, text, t + 1, &memo)
        case "\\" where p + 1 < pattern.count:
            guard t < text.count, text[t] == pattern[p + 1] else { return false }
            return self.match(p + 2, text, t + 1, &memo)
        default:
            guard t < text.count, text[t] == pattern[p] else { return false }
            return self.match(p + 1, text, t + 1, &memo)
        }
    }

    /// Whether `character` is in the class starting at `start` (a `[`), and the index after the class; nil
    /// when the class is not closed (then `[` is literal).
    private func matchClass(at start: Int, _ character: Character) -> (Bool, Int)? {
        let pattern = self.characters
        var index = start + 1
        var negated = false
        if index < pattern.count && (pattern[index] == "!" || pattern[index] == "^") {
            negated = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.count {
            let current = pattern[index]
            if current == "]" && !first {
                return (matched != negated, index + 1)
            }
            first = false
            if index + 2 < pattern.count && pattern[index + 1] == "-" && pattern[index + 2] != "]" {
                if pattern[index] <= character && character <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if current == character { matched = true }
                index += 1
            }
        }
        return nil
    }
}

/// `/`-separated path helpers for remote and local paths.
enum MirrorPaths {
    static func join(_ directory: String, _ relative: String) -> String {
        if directory.isEmpty || directory == "." { return relative }
        if directory.hasSuffix("/") { return directory + relative }
        return directory + "/" + relative
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Whether a name from a listing is safe to use as one local path component.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0")
    }
}

import FerryCore
import Testing

@Suite("FerryPath parsing")
struct FerryPathParsingTests {
    /// (input, working directory, normalised result)
    static let table: [(String, String, String)] = [
        ("/", "/", "/"),
        ("", "/", "/"),
        ("", "/projects/q3", "/projects/q3"),
        (".", "/projects/q3", "/projects/q3"),
        ("a", "/", "/a"),
        ("a/b/c", "/", "/a/b/c"),
        ("a/b/c", "/x/y", "/x/y/a/b/c"),
        ("/a/b/c", "/x/y", "/a/b/c"),
        ("//a///b//", "/", "/a/b"),
        ("./a/./b/.", "/", "/a/b"),
        ("a/../b", "/", "/b"),
        ("a/b/../../c", "/", "/c"),
        ("..", "/x/y", "/x"),
        ("../..", "/x/y", "/"),
        ("../sibling", "/x/y", "/x/sibling"),
        ("/a/b/../c/./d/", "/", "/a/c/d"),
        ("...", "/", "/..."),
        ("..a", "/", "/..a"),
        ("a..", "/", "/a.."),
        (".hidden", "/", "/.hidden"),
        ("a\\..\\b", "/", "/a\\..\\b"),
        (" ", "/", "/ "),
    ]

    @Test(arguments: table)
    func normalises(_ input: String, _ base: String, _ expected: String) throws {
        let working = try FerryPath(parsing: base)
        let parsed = try FerryPath(parsing: input, relativeTo: working)
        #expect(parsed.string == expected)
        #expect(try FerryPath(parsing: Array(input.utf8), relativeTo: working) == parsed)
    }

    /// Attempts to climb above the root stop at the root.
    static let escapes = [
        "..", "../..", "/..", "/../..", "../../../../etc/passwd", "a/../../..", "/a/b/../../../../c",
        "./../.././../", "..//..//..", String(repeating: "../", count: 500),
    ]

    @Test(arguments: escapes)
    func clampsEscapesAtTheRoot(_ input: String) throws {
        for base in ["/", "/deep/er/still"] {
            let parsed = try FerryPath(parsing: input, relativeTo: try FerryPath(parsing: base))
            #expect(!parsed.components.contains(".."))
            #expect(parsed == .root || parsed.string.hasPrefix("/"))
        }
        #expect(try FerryPath(parsing: "../../../../etc/passwd").string == "/etc/passwd")
    }

    static let rejected: [[UInt8]] = [
        Array("a\u{0}b".utf8),
        Array("/a/b\u{0}".utf8),
        [0],
        [0x2F, 0x61, 0xFF],  // "/a" + a byte that is never UTF-8
        [0x61, 0xC3],  // truncated two-byte sequence
        [0xED, 0xA0, 0x80],  // an encoded surrogate
        [0xC0, 0xAF],  // overlong "/"
        [0xE0, 0x80, 0xAF],  // overlong "/", three bytes
    ]

    @Test(arguments: rejected)
    func rejectsNulAndInvalidUTF8(_ bytes: [UInt8]) {
        #expect {
            try FerryPath(parsing: bytes)
        } throws: { error in
            (error as? FerryError)?.code == .invalidPath
        }
    }

    @Test func rejectsNulInStrings() {
        #expect(throws: FerryError.self) { try FerryPath(parsing: "a\u{0}b") }
        #expect(throws: FerryError.self) { try FerryPath(parsing: "\u{0}") }
    }

    @Test func slashesAreFoundByteByByte() throws {
        // A combining mark after "/" forms one Character with it; it must still separate names.
        let parsed = try FerryPath(parsing: "a/\u{301}b/../c")
        #expect(parsed.components == ["a", "c"])
        let other = try FerryPath(parsing: "x/\u{301}")
        #expect(other.components == ["x", "\u{301}"])
    }

    @Test func enforcesLimits() throws {
        let limits = FerryPath.Limits(maximumLength: 20, maximumDepth: 3, maximumNameLength: 5)
        #expect(try FerryPath(parsing: "/a/b/c", limits: limits).depth == 3)
        #expect(throws: FerryError.self) { try FerryPath(parsing: "/a/b/c/d", limits: limits) }
        #expect(throws: FerryError.self) { try FerryPath(parsing: "/abcdef", limits: limits) }
        #expect(throws: FerryError.self) { try FerryPath(parsing: String(repeating: "/", count: 21), limits: limits) }
        let base = try FerryPath(parsing: "/a/b")
        #expect(throws: FerryError.self) { try FerryPath(parsing: "c/d", relativeTo: base, limits: limits) }
        #expect(try FerryPath(parsing: "../c/d", relativeTo: base, limits: limits).string == "/a/c/d")
        let defaults = FerryPath.Limits.default
        #expect(throws: FerryError.self) {
            try FerryPath(parsing: String(repeating: "x", count: defaults.maximumNameLength + 1))
        }
        #expect(throws: FerryError.self) {
            try FerryPath(parsing: String(repeating: "a/", count: defaults.maximumDepth + 1))
        }
    }
}

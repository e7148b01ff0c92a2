import FerryCore
import Testing

@Suite("FerryPath")
struct FerryPathTests {
    @Test func rootAndComponents() throws {
        #expect(FerryPath.root.isRoot)
        #expect(FerryPath.root.string == "/")
        #expect(FerryPath.root.name == nil)
        #expect(FerryPath.root.parent == nil)
        let path = try FerryPath(parsing: "/a/b/c.txt")
        #expect(path.components == ["a", "b", "c.txt"])
        #expect(path.name == "c.txt")
        #expect(path.parent?.string == "/a/b")
        #expect(path.parent?.parent?.parent == .root)
        #expect(path.depth == 3)
        #expect("\(path)" == "/a/b/c.txt")
    }

    @Test func appending() throws {
        let directory = try FerryPath(parsing: "/a")
        #expect(try directory.appending("b").string == "/a/b")
        #expect(try FerryPath.root.appending("x y").string == "/x y")
        #expect(directory.appending(try FerryPath(parsing: "/c/d")).string == "/a/c/d")
        for bad in ["", ".", "..", "b/c", "/", "a\u{0}b"] {
            #expect(throws: FerryError.self, "\(bad.debugDescription)") { try directory.appending(bad) }
        }
        #expect(throws: FerryError.self) { try directory.appending(String(repeating: "n", count: 256)) }
    }

    @Test func descendants() throws {
        let a = try FerryPath(parsing: "/a")
        let ab = try FerryPath(parsing: "/a/b")
        let abc = try FerryPath(parsing: "/a/b/c")
        let ax = try FerryPath(parsing: "/ax")
        #expect(ab.isDescendant(of: a))
        #expect(abc.isDescendant(of: a))
        #expect(abc.isDescendant(of: .root))
        #expect(!a.isDescendant(of: a))
        #expect(!a.isDescendant(of: ab))
        #expect(!ax.isDescendant(of: a))
        #expect(!FerryPath.root.isDescendant(of: .root))
        #expect(abc.removingPrefix(a)?.string == "/b/c")
        #expect(a.removingPrefix(a) == .root)
        #expect(ax.removingPrefix(a) == nil)
    }

    @Test func equalityIsByteForByte() throws {
        let composed = try FerryPath(parsing: "/caf\u{E9}")
        let decomposed = try FerryPath(parsing: "/cafe\u{301}")
        // Swift's String treats these as equal; file names do not.
        #expect("caf\u{E9}" == "cafe\u{301}")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(!decomposed.isDescendant(of: composed))
        #expect(try FerryPath(parsing: "/caf\u{E9}") == composed)
    }
}

import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    /// Names that differ only in Unicode normalisation, scripts, emoji and invisible or bidirectional marks.
    static let unicodeNames = [
        "caf\u{E9}",  // é precomposed (NFC)
        "cafe\u{301}",  // e + combining acute (NFD): canonically equal to the above, different bytes
        "\u{65E5}\u{672C}\u{8A9E}.txt",
        "rocket \u{1F680}.bin",
        "\u{5E2}\u{5D1}\u{5E8}\u{5D9}\u{5EA}",
        "\u{202E}gnp.exe",  // right-to-left override
        "zero\u{200B}width",
        "division\u{2215}slash",
        "fullwidth\u{FF0F}solidus",
        "\u{2024}\u{2024}",  // one-dot leaders, not ".."
    ]

    /// Names with spaces and punctuation that shells, URLs and globs treat specially.
    static let awkwardNames = [
        " leading space",
        "trailing space ",
        "two  spaces",
        " ",
        "...",
        ".hidden",
        "-dash",
        "#hash",
        "%25percent",
        "back\\slash",
        "quotes ' and \"",
        "*?[glob]",
        "new\nline",
    ]

    static let nameChecks: [Check] = [
        Check("unicode names are kept byte for byte") { storage in
            try await checkNames(unicodeNames, in: storage)
        },
        Check("names with spaces and punctuation") { storage in
            try await checkNames(awkwardNames, in: storage)
        },
    ]

    private static func checkNames(_ names: [String], in storage: any Storage) async throws {
        try await storage.makeDirectory(try path("/names"))
        let directory = try path("/names")
        for name in names {
            try await storage.write(try directory.appending(name), bytes: bytes(name))
        }
        let listed = try await storage.listAll(directory).map(\.name)
        try expectEqual(listed.count, names.count, "entries listed")
        for name in names {
            try expect(
                listed.contains { $0.utf8.elementsEqual(name.utf8) },
                "\(name.debugDescription) is listed with the same bytes"
            )
            let file = try directory.appending(name)
            try expectEqual(try await storage.readAll(file), bytes(name), "contents of \(name.debugDescription)")
            try expectEqual(try await storage.attributes(of: file).kind, .file, "kind of \(name.debugDescription)")
        }
        for name in names {
            try await storage.removeFile(try directory.appending(name))
        }
        try expectEqual(try await storage.listAll(directory).count, 0, "entries after removing them all")
    }
}

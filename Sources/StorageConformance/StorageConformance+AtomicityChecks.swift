import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let atomicityChecks: [Check] = [
        Check("a failed write stream leaves no file") { storage in
            try await storage.makeDirectory(try path("/dir"))
            let broken = FailingSequence(buffers: [pattern(count: 70_000), pattern(count: 5)])
            do {
                try await storage.write(try path("/dir/partial"), from: broken)
                throw ConformanceFailure(message: "a write whose stream threw succeeded")
            } catch is InjectedFailure {
                // The stream's own error comes back.
            }
            try await expectError(.notFound, "attributes after the failed write") {
                _ = try await storage.attributes(of: try path("/dir/partial"))
            }
            try expectEqual(try await names(storage, "/dir"), [], "entries after the failed write")
        },
        Check("a failed write leaves the existing file untouched") { storage in
            try await writeText(storage, "the original", to: "/file")
            let broken = FailingSequence(buffers: [bytes("the replacement that never ")])
            do {
                try await storage.write(try path("/file"), from: broken)
                throw ConformanceFailure(message: "a write whose stream threw succeeded")
            } catch is InjectedFailure {
                // The stream's own error comes back.
            }
            try expectEqual(try await readText(storage, "/file"), "the original", "contents")
            try expectEqual(try await names(storage, "/"), ["file"], "entries")
        },
        Check("a rejected write leaves nothing behind") { storage in
            try await storage.makeDirectory(try path("/dir"))
            try await expectFailure("writing where a directory is") {
                try await storage.write(try path("/dir"), from: ByteBufferSequence([pattern(count: 1000)]))
            }
            try expectEqual(try await names(storage, "/"), ["dir"], "entries of /")
            try expectEqual(try await names(storage, "/dir"), [], "entries of /dir")
        },
    ]
}

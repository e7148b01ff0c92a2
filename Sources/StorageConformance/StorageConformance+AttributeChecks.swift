import FerryCore
import NIOCore
import Storage

extension StorageConformance {
    static let attributeChecks: [Check] = [
        Check("attributes: permissions") { storage in
            let setter = try capability(storage, (any AttributeSetting).self)
            try await writeText(storage, "x", to: "/file")
            try await storage.makeDirectory(try path("/dir"))
            for (name, permissions) in [("/file", 0o600), ("/file", 0o644), ("/dir", 0o700)]
                as [(String, FilePermissions)]
            {
                try await setter.setPermissions(try path(name), to: permissions)
                try expectEqual(try await storage.attributes(of: try path(name)).permissions, permissions, name)
            }
            try await expectError(.notFound, "changing a missing entry") {
                try await setter.setPermissions(try path("/missing"), to: 0o600)
            }
        },
        Check("attributes: times") { storage in
            let setter = try capability(storage, (any AttributeSetting).self)
            try await writeText(storage, "x", to: "/file")
            let access = FileTimestamp(seconds: 1_111_111_111, nanoseconds: 0)
            let modification = FileTimestamp(seconds: 1_234_567_890, nanoseconds: 0)
            try await setter.setTimes(try path("/file"), accessTime: access, modificationTime: modification)
            var attributes = try await storage.attributes(of: try path("/file"))
            try expectEqual(attributes.modificationTime, modification, "modification time")
            try expectEqual(attributes.accessTime, access, "access time")
            let later = FileTimestamp(seconds: 1_500_000_000, nanoseconds: 0)
            try await setter.setTimes(try path("/file"), accessTime: nil, modificationTime: later)
            attributes = try await storage.attributes(of: try path("/file"))
            try expectEqual(attributes.modificationTime, later, "modification time after a second change")
            try expectEqual(attributes.accessTime, access, "access time kept")
        },
        Check("attributes: owner") { storage in
            let setter = try capability(storage, (any AttributeSetting).self)
            try await writeText(storage, "x", to: "/file")
            let before = try await storage.attributes(of: try path("/file"))
            // Giving a file to its own owner and group needs no privilege anywhere.
            try await setter.setOwner(try path("/file"), uid: before.uid, gid: before.gid)
            try await setter.setOwner(try path("/file"), uid: nil, gid: nil)
            let after = try await storage.attributes(of: try path("/file"))
            try expectEqual(after.uid, before.uid, "owner")
            try expectEqual(after.gid, before.gid, "group")
        },
        Check("attributes: truncate cuts and extends with zeros") { storage in
            let setter = try capability(storage, (any AttributeSetting).self)
            try await writeText(storage, "0123456789", to: "/file")
            try await setter.truncate(try path("/file"), to: 4)
            try expectEqual(try await readText(storage, "/file"), "0123", "after cutting")
            try await setter.truncate(try path("/file"), to: 6)
            var expected = bytes("0123")
            expected.writeRepeatingByte(0, count: 2)
            try expectEqual(try await storage.readAll(try path("/file")), expected, "after extending")
            try await storage.makeDirectory(try path("/dir"))
            try await expectError(.isADirectory, "truncating a directory") {
                try await setter.truncate(try path("/dir"), to: 0)
            }
        },
        Check("space report is consistent") { storage in
            let reporter = try capability(storage, (any SpaceReporting).self)
            let report = try await reporter.spaceReport(for: .root)
            try expect(report.blockSize > 0, "block size \(report.blockSize)")
            try expect(report.freeBlocks <= report.totalBlocks, "free blocks \(report) within total")
            try expect(report.availableBlocks <= report.freeBlocks, "available blocks \(report) within free")
            try expect(report.maximumNameLength >= 255, "maximum name length \(report.maximumNameLength)")
        },
    ]

    static let objectStoreChecks: [Check] = [
        Check("object store: directories are prefixes") { storage in
            if storage is any ExplicitDirectories {
                throw SkipCheck(reason: "the backend has explicit directories")
            }
            try await writeText(storage, "deep", to: "/a/b/file")
            try expectEqual(try await storage.attributes(of: try path("/a")).kind, .directory, "implied directory")
            try expectEqual(try await names(storage, "/a"), ["b"], "entries of an implied directory")
            try await storage.makeDirectory(try path("/kept"))
            try expectEqual(try await names(storage, "/"), ["a", "kept"], "a marker keeps an empty directory")
            try await storage.removeFile(try path("/a/b/file"))
            try expectEqual(try await names(storage, "/"), ["kept"], "implied directories vanish when emptied")
        }
    ]
}

import FerryCore
import Testing
import VFS

@Suite struct VFSPermissionsTests {
    private func path(_ text: String) throws -> FerryPath { try FerryPath(parsing: text) }

    @Test func longestPrefixWins() throws {
        var permissions = VFSPermissions(.readOnly)
        permissions.set(.all, for: try self.path("/in"))
        permissions.set(.none, for: try self.path("/in/secret"))
        #expect(permissions.permissions(at: .root) == .readOnly)
        #expect(permissions.permissions(at: try self.path("/other/x")) == .readOnly)
        #expect(permissions.permissions(at: try self.path("/in")) == .all)
        #expect(permissions.permissions(at: try self.path("/in/a/b")) == .all)
        #expect(permissions.permissions(at: try self.path("/in/secret/a")) == .none)
        #expect(permissions.permissions(at: try self.path("/inside")) == .readOnly)
    }

    @Test func checkNamesPermissionAndPath() throws {
        let permissions = VFSPermissions.readOnly
        try permissions.check(.download, path: try self.path("/a"))
        let error = #expect(throws: VFSError.self) {
            try permissions.check(.upload, path: try self.path("/a"))
        }
        #expect(error?.code == .permissionDenied)
        #expect(error?.message.contains("upload") == true)
        #expect(error?.message.contains("/a") == true)
    }

    @Test func accessShortcuts() {
        let table: [(VFSPermissionSet.Access, Bool, VFSPermissionSet)] = [
            (.read, false, [.list, .download]),
            (.read, true, [.list, .download, .delete, .removeDirectories]),
            (.write, false, [.upload, .overwrite, .rename, .createDirectories, .setAttributes]),
            (.readWrite, true, VFSPermissionSet.all.subtracting(.symlink)),
        ]
        for (access, delete, expected) in table {
            #expect(VFSPermissionSet.access(access, delete: delete) == expected, "\(access) delete=\(delete)")
        }
    }

    @Test func everyPermissionHasItsOwnBit() {
        let sets = VFSPermission.allCases.map { VFSPermissionSet($0) }
        #expect(Set(sets.map(\.rawValue)).count == VFSPermission.allCases.count)
        #expect(VFSPermissionSet(VFSPermission.allCases) == .all)
        for permission in VFSPermission.allCases {
            #expect(VFSPermissionSet.all.allows(permission))
            #expect(!VFSPermissionSet.none.allows(permission))
        }
    }
}

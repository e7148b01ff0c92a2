import FerryCore
import VFS

/// A user's stored permission words, turned into what the VFS enforces.
///
/// Words: the names of ``VFSPermission`` (`list`, `download`, `upload`, `overwrite`, `delete`, `rename`,
/// `create-dirs`, `remove-dirs`, `set-attributes`, `symlink`, also in their camel-case spelling), `all`,
/// `read-only`, and the COS-style `R`, `W`, `RW` (which grant no deletion unless `delete` is also given).
/// No words at all means `all`. A word may be scoped to a folder as `/PATH=WORD[+WORD…]`, which replaces the
/// user's permissions at and below that folder.
public enum UserPermissions {
    /// Parses stored words.
    ///
    /// - Throws: ``ConfigurationError`` naming the first unknown word.
    public static func parse(_ words: [String]) throws -> VFSPermissions {
        var root: VFSPermissionSet = []
        var rules: [FerryPath: VFSPermissionSet] = [:]
        if words.isEmpty {
            return .all
        }
        for word in words {
            if word.hasPrefix("/"), let equals = word.firstIndex(of: "=") {
                let path: FerryPath
                do {
                    path = try FerryPath(parsing: String(word[..<equals]))
                } catch {
                    throw PermissionWordError(word: word, reason: "the folder is not a valid path")
                }
                var set: VFSPermissionSet = []
                for part in word[word.index(after: equals)...].split(separator: "+") {
                    set.formUnion(try self.set(String(part)))
                }
                rules[path] = set
            } else {
                root.formUnion(try self.set(word))
            }
        }
        return VFSPermissions(root, rules: rules)
    }

    /// The permissions one word grants.
    static func set(_ word: String) throws -> VFSPermissionSet {
        switch word {
        case "all", "*": return .all
        case "read-only", "readonly", "ro": return .readOnly
        case "none": return .none
        case "R", "r": return .access(.read, delete: false)
        case "W", "w": return .access(.write, delete: false)
        case "RW", "rw": return .access(.readWrite, delete: false)
        default:
            let normalised = word.replacingOccurrences(of: "-", with: "").lowercased()
            let aliases = [
                "createdirs": "createDirectories", "removedirs": "removeDirectories", "setattributes": "setAttributes",
            ]
            let name = aliases[normalised] ?? normalised
            guard
                let permission = VFSPermission.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() })
            else {
                throw PermissionWordError(word: word, reason: "not a permission")
            }
            return VFSPermissionSet(permission)
        }
    }
}

/// A permission word that means nothing.
public struct PermissionWordError: Error, CustomStringConvertible, Sendable {
    /// The word.
    public var word: String
    /// Why it was refused.
    public var reason: String

    public var description: String {
        "permission \"\(word)\": \(reason) (use all, read-only, R, W, RW, or any of "
            + VFSPermission.allCases.map(\.rawValue).joined(separator: ", ") + ")"
    }
}

#if os(Linux)
import FerryCore
import NIOCore
import StorageLocal
import Testing

/// A storage root with a secret directory beside it and links that try to reach it:
///
/// ```
/// sandbox/
///   sibling.txt                "beside the root"
///   secret/secret.txt          "top secret"
///   secret/sub/
///   root/                      the storage root
///     inside/file.txt          "inside"
///     inside/deep-escape  ->   ../../secret
///     escape-abs          ->   <sandbox>/secret
///     escape-rel          ->   ../secret
///     secret-file         ->   <sandbox>/secret/secret.txt
///     dotdot              ->   ..
/// ```
///
/// ``with(_:_:)`` checks after the body that nothing outside the root changed.
struct Jail {
    let sandbox: Sandbox
    let storage: LocalStorage
    /// The host path of the secret directory.
    let secret: String

    /// The resolutions to test: the kernel's where available, and the component walk.
    static let resolutions: [LocalStorage.PathResolution] =
        LocalStorage.kernelResolvesBeneath ? [.openat2, .componentWalk] : [.componentWalk]

    static func with(_ resolution: LocalStorage.PathResolution, _ body: (Jail) async throws -> Void) async throws {
        try await Sandbox.with { sandbox in
            let root = try sandbox.makeDirectory("root")
            let secret = try sandbox.makeDirectory("secret")
            _ = try sandbox.makeDirectory("secret/sub")
            try sandbox.writeFile("secret/secret.txt", "top secret")
            try sandbox.writeFile("sibling.txt", "beside the root")
            _ = try sandbox.makeDirectory("root/inside")
            try sandbox.writeFile("root/inside/file.txt", "inside")
            try sandbox.symlink("root/inside/deep-escape", to: "../../secret")
            try sandbox.symlink("root/escape-abs", to: secret)
            try sandbox.symlink("root/escape-rel", to: "../secret")
            try sandbox.symlink("root/secret-file", to: secret + "/secret.txt")
            try sandbox.symlink("root/dotdot", to: "..")
            let jail = Jail(
                sandbox: sandbox,
                storage: try await LocalStorage(root: root, resolution: resolution),
                secret: secret
            )
            #expect(jail.storage.resolution == resolution)
            let before = try jail.outside()
            try await body(jail)
            #expect(try jail.outside() == before, "something outside the root changed")
        }
    }

    /// A snapshot of everything in the sandbox but the root's subtree.
    func outside() throws -> [String] {
        try self.sandbox.snapshot().filter { !$0.hasPrefix("root") }
    }

    /// Expects `operation` to be refused because it would leave the root.
    func expectRefused(
        _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ operation: () async throws -> Void
    ) async {
        let error = await #expect(throws: FerryError.self, "\(what)", sourceLocation: sourceLocation) {
            try await operation()
        }
        #expect(
            error?.code == .permissionDenied,
            "\(what): \(String(describing: error))",
            sourceLocation: sourceLocation
        )
    }
}

/// Parses a path written in a test.
func path(_ text: String) throws -> FerryPath {
    try FerryPath(parsing: text)
}
#endif

import FerryCore
import StorageMemory
import Testing
import VFS

@Suite struct VFSPathTests {
    @Test func realpathIsRelativeToHome() async throws {
        let session = VFSSession(
            user: "alice",
            mounts: try VFSMountTable(root: VFSMount(storage: MemoryStorage())),
            permissions: .all,
            home: try path("/home/alice")
        )
        #expect(try session.realpath("") == (try path("/home/alice")))
        #expect(try session.realpath("docs/../a.txt") == (try path("/home/alice/a.txt")))
        #expect(try session.realpath("../../../..") == .root)
        #expect(try session.realpath("/etc//passwd") == (try path("/etc/passwd")))
        #expect(try session.realpath(bytes: Array("x".utf8)) == (try path("/home/alice/x")))
        let error = #expect(throws: VFSError.self) { _ = try session.realpath("a\0b") }
        #expect(error?.code == .invalidArgument)
        let utf8 = #expect(throws: VFSError.self) { _ = try session.realpath(bytes: [0xFF]) }
        #expect(utf8?.code == .invalidArgument)
    }

    @Test func storageErrorsMapOnce() {
        let table: [(FerryError.Code, VFSError.Code)] = [
            (.notFound, .noSuchFile), (.alreadyExists, .alreadyExists), (.notADirectory, .notADirectory),
            (.isADirectory, .isADirectory), (.directoryNotEmpty, .directoryNotEmpty),
            (.permissionDenied, .permissionDenied), (.readOnly, .permissionDenied), (.invalidPath, .invalidArgument),
            (.nameTooLong, .invalidArgument), (.invalidArgument, .invalidArgument), (.noSpace, .noSpace),
            (.quotaExceeded, .quotaExceeded), (.unsupported, .unsupported), (.crossDevice, .unsupported),
            (.busy, .failure), (.ioError, .failure),
        ]
        for (ferry, expected) in table {
            let mapped = VFSError(FerryError(ferry, "message"))
            #expect(mapped.code == expected, "\(ferry)")
            #expect(mapped.message == "message")
        }
        let passedThrough = VFSError.converting(VFSError(.tooManyHandles, "x"))
        #expect(passedThrough.code == .tooManyHandles)
    }
}

#if os(Linux)
import Storage
import StorageConformance
import StorageLocal
import Testing

@Suite("LocalStorage conformance")
struct LocalConformanceTests {
    @Test(.enabled(if: LocalStorage.kernelResolvesBeneath), arguments: StorageConformance.checks)
    func openat2(_ check: StorageConformance.Check) async throws {
        try await Sandbox.with { sandbox in
            try await check.run {
                try await LocalStorage(root: try sandbox.makeDirectory("root"), resolution: .openat2)
            }
        }
    }

    @Test(arguments: StorageConformance.checks.filter { !$0.followsSymlinks })
    func componentWalk(_ check: StorageConformance.Check) async throws {
        try await Sandbox.with { sandbox in
            try await check.run {
                try await LocalStorage(root: try sandbox.makeDirectory("root"), resolution: .componentWalk)
            }
        }
    }
}
#endif

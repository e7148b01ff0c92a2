import Storage
import StorageConformance
import StorageMemory
import Testing

@Suite("MemoryStorage conformance")
struct MemoryConformanceTests {
    @Test(arguments: StorageConformance.checks)
    func posix(_ check: StorageConformance.Check) async throws {
        try await check.run { MemoryStorage() }
    }

    @Test(arguments: StorageConformance.checks)
    func objectStore(_ check: StorageConformance.Check) async throws {
        try await check.run { MemoryObjectStorage() }
    }
}

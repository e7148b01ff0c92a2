#if os(Linux)
import FerryCore
import NIOCore
import Storage
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file opened once beneath the root and read with `pread`.
final class LocalReadHandle: ReadHandle {
    private let storage: LocalStorage
    private let descriptor: Mutex<OwnedDescriptor?>
    private let path: FerryPath

    init(storage: LocalStorage, descriptor: OwnedDescriptor, path: FerryPath) {
        self.storage = storage
        self.descriptor = Mutex(descriptor)
        self.path = path
    }

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        guard count >= 0, offset <= UInt64(Int64.max) else {
            throw FerryError(.invalidArgument, "read of \(count) bytes at \(offset)")
        }
        guard let descriptor = self.descriptor.withLock({ $0 }) else {
            throw FerryError(.invalidArgument, "\(self.path) is closed")
        }
        let path = self.path
        return try await self.storage.run {
            // The descriptor stays referenced here, so a concurrent close cannot reuse its number.
            let size = try LocalStorage.regularFileSize(descriptor.raw, path)
            guard offset < size, count > 0 else { return ByteBuffer() }
            return try LocalStorage.readBytes(
                descriptor.raw,
                at: offset,
                count: Int(min(UInt64(count), size - offset)),
                path
            )
        }
    }

    func close() async {
        self.descriptor.withLock { $0 = nil }
    }
}

extension LocalStorage {
    /// Opens a regular file beneath the root for repeated reads. See ``ReadHandleOpening``.
    public func openForReading(_ path: FerryPath) async throws -> any ReadHandle {
        let descriptor = try await self.run {
            let raw = try self.openBeneath(
                path.components,
                flags: O_RDONLY | O_NONBLOCK | O_NOCTTY,
                followFinal: true,
                path: path
            )
            let owned = OwnedDescriptor(raw)
            _ = try Self.regularFileSize(raw, path)
            return owned
        }
        return LocalReadHandle(storage: self, descriptor: descriptor, path: path)
    }
}
#endif

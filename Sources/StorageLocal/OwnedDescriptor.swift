#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file descriptor closed when the last reference goes, so that an operation still running on the thread
/// pool can never see its number reused for another file.
final class OwnedDescriptor: Sendable {
    let raw: CInt

    init(_ raw: CInt) {
        self.raw = raw
    }

    deinit {
        close(self.raw)
    }
}
#endif

#if os(Linux)
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FerryCore
import NIOCore
import NIOPosix
import Storage

/// A storage backend on a local directory, jailed to it.
///
/// No path, `..`, symbolic link (in any component, made by anyone, swapped in at any time) or race reaches
/// outside the root. Every path is resolved beneath the root's descriptor with `openat2(RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS)`, or, where the kernel lacks it, by opening one component at a time with
/// `O_NOFOLLOW`, refusing every symbolic link. Operations then act with `*at` calls on the resolved parent
/// directory and never follow a final symbolic link unless the kernel checks that the link stays beneath.
///
/// Uploads go to a hidden temporary file in the destination directory (`.NAME.ferry-upload-RANDOM`) that is
/// synced and renamed over the name when complete; listings hide such files and
/// ``removeAbandonedUploads(olderThan:)`` sweeps what a crash left behind. Blocking system calls run on a
/// `NIOThreadPool`.
public final class LocalStorage: Sendable {
    /// How paths are resolved beneath the root.
    public enum PathResolution: Sendable, Hashable {
        /// `openat2` when the kernel has it, else ``componentWalk``.
        case automatic
        /// `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`; symbolic links are followed while they stay
        /// beneath the root. Linux 5.6 or later.
        case openat2
        /// One `openat(O_NOFOLLOW)` per component; every symbolic link in a path is refused.
        case componentWalk
    }

    /// The directory descriptor every path is resolved beneath.
    let root: OwnedDescriptor
    /// The resolution in use: ``PathResolution/openat2`` or ``PathResolution/componentWalk``.
    public let resolution: PathResolution
    /// Whether uploads are synced to disk before they are renamed into place.
    public let syncsUploads: Bool
    let threadPool: NIOThreadPool

    /// Opens a directory as a storage root.
    ///
    /// - Parameters:
    ///   - root: The directory; it must exist. Symbolic links in this path itself are followed.
    ///   - resolution: How to resolve paths beneath it.
    ///   - syncsUploads: Whether to `fsync` uploads (and their directory) before and after the rename.
    ///   - threadPool: Where blocking system calls run.
    /// - Throws: ``FerryError`` if the directory cannot be opened, or with code `unsupported` if
    ///   ``PathResolution/openat2`` was asked for and the kernel refuses it.
    public init(
        root: String,
        resolution: PathResolution = .automatic,
        syncsUploads: Bool = true,
        threadPool: NIOThreadPool = .singleton
    ) async throws {
        let opened = try await threadPool.runIfActive { () throws -> CInt in
            let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw LocalStorage.error(errno, .openRoot, .root)
            }
            return descriptor
        }
        let descriptor = OwnedDescriptor(opened)
        let kernelResolves = Self.probeOpenat2(descriptor.raw)
        switch resolution {
        case .openat2 where !kernelResolves:
            throw FerryError(.unsupported, "openat2 with RESOLVE_BENEATH is not available")
        case .automatic:
            self.resolution = kernelResolves ? .openat2 : .componentWalk
        case .openat2, .componentWalk:
            self.resolution = resolution
        }
        self.root = descriptor
        self.syncsUploads = syncsUploads
        self.threadPool = threadPool
    }

    /// Whether this kernel (and any sandbox around the process) lets paths be resolved with
    /// `openat2(RESOLVE_BENEATH)`, the resolution ``PathResolution/automatic`` prefers.
    public static let kernelResolvesBeneath: Bool = {
        let root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return false }
        defer { close(root) }
        return probeOpenat2(root)
    }()

    /// Whether `openat2` with `RESOLVE_BENEATH` works here (the kernel may be too old, or a sandbox may refuse
    /// the call).
    private static func probeOpenat2(_ root: CInt) -> Bool {
        var how = OpenHow(
            flags: UInt64(openPathOnly | O_DIRECTORY | O_CLOEXEC),
            mode: 0,
            resolve: resolveBeneath | resolveNoMagicLinks
        )
        let descriptor = LinuxSystemCalls.openat2(root, ".", &how)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    /// Runs blocking work on the thread pool.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await self.threadPool.runIfActive(body)
    }
}
#endif

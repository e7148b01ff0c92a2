import FerryCore
import NIOCore
import Storage

/// What a ``VFSHandle`` stands for.
enum VFSOpenFile: Sendable {
    case reading(VFSReadingFile)
    case writing(VFSWritingFile)
}

/// A file open for reading.
struct VFSReadingFile: Sendable {
    var path: FerryPath
    var resolved: VFSResolvedPath
    var opened: ContinuousClock.Instant
    var bytesRead: UInt64 = 0
    /// The open file, on backends that can keep one (``ReadHandleOpening``); otherwise reads go by path.
    var handle: (any ReadHandle)? = nil
}

/// Where an upload's bytes go.
enum VFSUploadTarget: Sendable {
    /// A backend handle taking writes at any offset, published on close.
    case randomAccess(any RandomAccessWriteHandle)
    /// An ordered stream through a reorder window, for backends without random-access writes.
    case sequential(SequentialUpload)
}

/// A file open for writing.
struct VFSWritingFile: Sendable {
    var path: FerryPath
    var resolved: VFSResolvedPath
    var plan: VFSOpenPlan
    var target: VFSUploadTarget
    var opened: ContinuousClock.Instant
    /// Where the next append goes.
    var appendOffset: UInt64
    /// The end of the furthest write so far.
    var highestEnd: UInt64
    /// The first failure; a failed upload is aborted on close.
    var failure: VFSError?
    /// Attributes set through the handle, applied once the upload is published.
    var pendingAttributes: VFSAttributeChanges? = nil
}

import FerryCore
import Storage

/// One authenticated user's view of their files, shared by every frontend: path normalisation, mounts,
/// permissions, open-flag semantics, handles, limits and transfer events.
///
/// Every operation checks ``VFSPermissions`` before it touches storage and throws ``VFSError`` only. Uploads
/// become visible under their name only when their handle is closed cleanly; call ``closeAll()`` when the
/// connection ends, which discards every upload still open.
public actor VFSSession {
    /// The user's name, as events report it.
    public nonisolated let user: String
    /// Where relative paths start.
    public nonisolated let home: FerryPath
    /// The user's mounts.
    public nonisolated let mounts: VFSMountTable
    /// The user's permissions.
    public nonisolated let permissions: VFSPermissions
    /// The session's limits.
    public nonisolated let limits: VFSLimits
    let events: any VFSEventSink

    var handles: [UInt64: VFSOpenFile] = [:]
    var handlesBeingOpened = 0
    var nextHandleID: UInt64 = 1
    var ended = false

    /// Creates a session.
    ///
    /// - Parameters:
    ///   - user: The user's name.
    ///   - mounts: Where the user's files live.
    ///   - permissions: What the user may do where.
    ///   - home: The directory relative paths start from.
    ///   - limits: Bounds on handles, file sizes and buffers.
    ///   - events: Where transfer events go.
    public init(
        user: String,
        mounts: VFSMountTable,
        permissions: VFSPermissions,
        home: FerryPath = .root,
        limits: VFSLimits = VFSLimits(),
        events: any VFSEventSink = VFSDiscardingEventSink()
    ) {
        self.user = user
        self.mounts = mounts
        self.permissions = permissions
        self.home = home
        self.limits = limits
        self.events = events
    }

    /// The number of handles open now.
    public var openHandleCount: Int { self.handles.count }

    /// Reserves a handle slot for an open in progress, failing when the table is full.
    func reserveHandle() throws {
        if self.ended {
            throw VFSError(.failure, "the session has ended")
        }
        guard self.handles.count + self.handlesBeingOpened < self.limits.maximumHandles else {
            throw VFSError(.tooManyHandles, "no more than \(self.limits.maximumHandles) handles may be open")
        }
        self.handlesBeingOpened += 1
    }

    /// Opens a file into a new handle: reserves a slot, runs `make`, and registers what it returns. A file
    /// opened while the session ended is discarded.
    func openHandle(_ make: () async throws -> VFSOpenFile) async throws -> VFSHandle {
        try self.reserveHandle()
        let file: VFSOpenFile
        do {
            file = try await make()
        } catch {
            self.handlesBeingOpened -= 1
            throw VFSError.converting(error)
        }
        self.handlesBeingOpened -= 1
        if self.ended {
            await Self.discard(file)
            throw VFSError(.failure, "the session has ended")
        }
        let id = self.nextHandleID
        self.nextHandleID += 1
        self.handles[id] = file
        return VFSHandle(id: id)
    }

    func emit(_ event: VFSEvent) async {
        await self.events.receive(event, user: self.user)
    }
}

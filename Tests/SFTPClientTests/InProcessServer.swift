import Foundation
import Logging
import NIOCore
import SFTPClient
import SFTPServer
import Storage
import VFS

/// Hands a server session's replies to the client as one byte stream.
struct PipeOutput: SFTPServerOutput {
    let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    func send(_ packet: ByteBuffer, body: ByteBuffer?) async {
        var whole = packet
        if var body { whole.writeBuffer(&body) }
        self.continuation.yield(whole)
    }
}

/// An ``SFTPClient`` talking to an in-process ``SFTPServerSession`` over a user's VFS, no SSH in between.
struct InProcessServer {
    let client: SFTPClient
    /// Ends the server's input, as a dropped connection would.
    let cut: @Sendable () -> Void

    static func start(
        storage: any Storage,
        permissions: VFSPermissions = .all,
        fixedLimits: SFTPClientLimits? = nil,
        requestsInFlight: Int = 64
    ) async throws -> InProcessServer {
        let (toServer, toServerInput) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let (toClient, toClientInput) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let vfs = VFSSession(
            user: "alice",
            mounts: try VFSMountTable(root: VFSMount(storage: storage)),
            permissions: permissions,
            home: .root,
            limits: VFSLimits()
        )
        let session = SFTPServerSession(vfs: vfs, logger: Logger(label: "test.server"))
        Task {
            try? await session.run(toServer, output: PipeOutput(continuation: toClientInput))
            toClientInput.finish()
        }
        let transport = SFTPClientTransport(
            inbound: toClient,
            send: { toServerInput.yield($0) },
            close: { toServerInput.finish() }
        )
        let client = try await SFTPClient.start(
            transport: transport,
            requestsInFlight: requestsInFlight,
            fixedLimits: fixedLimits
        )
        return InProcessServer(client: client, cut: { toServerInput.finish() })
    }
}

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-client-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// Deterministic bytes.
func pattern(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var value = seed
    for index in 0..<count {
        value = value &* 31 &+ UInt8(truncatingIfNeeded: index >> 8)
        bytes[index] = value
    }
    return bytes
}

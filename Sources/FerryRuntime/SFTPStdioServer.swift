import NIOCore
import NIOPosix
import SFTPServer

/// Serves one SFTP session on a pair of file descriptors (standard input and output by default): the mode in
/// which OpenSSH's sshd runs Ferry as its `sftp` subsystem, and in which `sftp -D` drives it.
public enum SFTPStdioServer {
    /// Serves until the client closes its end of the input.
    ///
    /// - Parameters:
    ///   - session: The session to serve.
    ///   - input: The descriptor requests arrive on.
    ///   - output: The descriptor replies go to.
    ///   - group: The event loops to run the pipes on.
    /// - Throws: When the pipes cannot be set up, or when the client breaks the protocol.
    public static func serve(
        _ session: SFTPServerSession,
        input: CInt = 0,
        output: CInt = 1,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws {
        let channel = try await NIOPipeBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .takingOwnershipOfDescriptors(input: input, output: output) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await session.run(inbound, output: PipeOutput(writer: outbound))
        }
    }
}

/// Replies written to a pipe; the writer suspends while the pipe is full.
private struct PipeOutput: SFTPServerOutput {
    let writer: NIOAsyncChannelOutboundWriter<ByteBuffer>

    func send(_ packet: ByteBuffer, body: ByteBuffer?) async {
        do {
            if let body {
                try await self.writer.write(contentsOf: [packet, body])
            } else {
                try await self.writer.write(packet)
            }
        } catch {
            // The client is gone; the session ends when its input does.
        }
    }
}

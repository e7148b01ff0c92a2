import Dispatch
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program for a session channel, the way sshd runs a `Subsystem` command: the channel's data
/// is the program's stdin, its stdout is the channel's data, its stderr the channel's extended data, and
/// its exit status is reported when it ends. Both directions apply backpressure.
public final class SSHProcessSession: SSHSessionHandler {
    private let argv: [String]
    private let environment: [String: String]
    private var pid: pid_t = 0
    private var stdin: (any Channel)?
    private var outputsOpen = 0
    private var exitStatus: UInt32?
    private var session: SSHSessionChannel?
    private var pendingInput: [ByteBuffer] = []
    private var inputEOF = false
    private var finished = false
    private var readers: [any Channel] = []
    /// The latest write to the program's stdin; closing must wait for it, or queued bytes are lost.
    private var lastInputWrite: EventLoopFuture<Void>?

    /// - Parameters:
    ///   - argv: the program and its arguments; `argv[0]` must be an absolute path.
    ///   - environment: the program's whole environment.
    public init(argv: [String], environment: [String: String]) {
        self.argv = argv
        self.environment = environment
    }

    public func start(_ channel: SSHSessionChannel) {
        self.session = channel
        do {
            try self.spawn(on: channel.eventLoop)
        } catch {
            channel.writeError(ByteBuffer(string: "ferry: cannot start \(self.argv.first ?? "program"): \(error)\n"))
            channel.finish(exitStatus: 127)
            self.finished = true
        }
    }

    private func spawn(on eventLoop: any EventLoop) throws {
        guard let path = self.argv.first, path.hasPrefix("/") else {
            throw SpawnError("program path must be absolute")
        }
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard Self.makePipe(&input) else { throw SpawnError("pipe failed: errno \(errno)") }
        guard Self.makePipe(&output) else {
            close(input[0])
            close(input[1])
            throw SpawnError("pipe failed: errno \(errno)")
        }
        guard Self.makePipe(&errors) else {
            for fd in input + output { close(fd) }
            throw SpawnError("pipe failed: errno \(errno)")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)
        )
        let cArguments = self.argv.map { strdup($0) } + [nil]
        let cEnvironment = self.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in cArguments { free(pointer) }
            for pointer in cEnvironment { free(pointer) }
        }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, path, &actions, &attributes, cArguments, cEnvironment)
        let pid = spawned
        close(input[0])
        close(output[1])
        close(errors[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            close(errors[0])
            throw SpawnError("posix_spawn failed: errno \(result)")
        }
        self.pid = pid
        self.outputsOpen = 2
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        DispatchQueue.global().async {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let exitCode: UInt32
            if status & 0x7F == 0 {
                exitCode = UInt32((status >> 8) & 0xFF)
            } else {
                exitCode = 128 + UInt32(status & 0x7F)
            }
            eventLoop.execute { loopBound.value.processExited(exitCode) }
        }
        let bootstrap = NIOPipeBootstrap(group: eventLoop)
        bootstrap.takingOwnershipOfDescriptor(output: input[1]).whenComplete { result in
            loopBound.value.stdinReady(result)
        }
        for (fd, isError) in [(output[0], false), (errors[0], true)] {
            NIOPipeBootstrap(group: eventLoop)
                .channelOption(.autoRead, value: true)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ProgramOutputHandler(session: loopBound, isError: isError)
                        )
                    }
                }
                .takingOwnershipOfDescriptor(input: fd)
                .whenComplete { result in
                    switch result {
                    case .success(let channel): loopBound.value.readers.append(channel)
                    case .failure:
                        close(fd)
                        loopBound.value.outputClosed()
                    }
                }
        }
    }

    private func stdinReady(_ result: Result<any Channel, any Error>) {
        switch result {
        case .success(let channel):
            self.stdin = channel
            for buffer in self.pendingInput { self.lastInputWrite = channel.write(buffer) }
            self.pendingInput.removeAll()
            channel.flush()
            if self.inputEOF || self.finished { self.closeInput() }
        case .failure:
            self.pendingInput.removeAll()
        }
    }

    public func received(_ data: ByteBuffer, channel: SSHSessionChannel) {
        guard let stdin = self.stdin else {
            self.pendingInput.append(data)
            if self.pendingInput.count > 64 { channel.setReadPaused(true) }
            return
        }
        let written = stdin.writeAndFlush(data)
        self.lastInputWrite = written
        if !stdin.isWritable {
            // Pause the client; once this (latest) write is flushed the pipe has room again.
            channel.setReadPaused(true)
            let session = NIOLoopBound(channel, eventLoop: channel.eventLoop)
            written.whenComplete { _ in session.value.setReadPaused(false) }
        }
    }

    public func receivedEOF(channel: SSHSessionChannel) {
        self.inputEOF = true
        self.closeInput()
    }

    /// Closes the program's stdin once everything written to it has been flushed: closing a NIO channel
    /// drops writes still queued, which would lose the end of an upload.
    private func closeInput() {
        guard let stdin = self.stdin else { return }
        if let last = self.lastInputWrite {
            last.whenComplete { _ in stdin.close(promise: nil) }
        } else {
            stdin.close(promise: nil)
        }
    }

    public func writabilityChanged(_ writable: Bool, channel: SSHSessionChannel) {
        for reader in self.readers {
            reader.setOption(.autoRead, value: writable).whenComplete { _ in }
        }
    }

    /// Called by the output handlers when the program's output should stop or resume.
    fileprivate func deliver(_ data: ByteBuffer, isError: Bool, from reader: any Channel) {
        guard let session = self.session, !self.finished else { return }
        if isError {
            session.writeError(data)
        } else if !session.write(data) {
            reader.setOption(.autoRead, value: false).whenComplete { _ in }
        }
    }

    fileprivate func outputClosed() {
        self.outputsOpen -= 1
        self.finishIfDone()
    }

    private func processExited(_ status: UInt32) {
        self.exitStatus = status
        self.finishIfDone()
    }

    private func finishIfDone() {
        guard !self.finished, self.outputsOpen <= 0, let status = self.exitStatus else { return }
        self.finished = true
        self.closeInput()
        self.session?.finish(exitStatus: status)
    }

    public func closed(channel: SSHSessionChannel) {
        self.session = nil
        if !self.finished {
            self.finished = true
            if self.pid > 0 && self.exitStatus == nil { kill(self.pid, SIGTERM) }
        }
        self.stdin?.close(promise: nil)
        for reader in self.readers { reader.close(promise: nil) }
    }

    /// A pipe whose two ends are closed on exec (the child gets its copies through dup2).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    private struct SpawnError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// Forwards what a program writes on stdout or stderr to its session.
private final class ProgramOutputHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let session: NIOLoopBound<SSHProcessSession>
    private let isError: Bool

    init(session: NIOLoopBound<SSHProcessSession>, isError: Bool) {
        self.session = session
        self.isError = isError
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.session.value.deliver(self.unwrapInboundIn(data), isError: self.isError, from: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.session.value.outputClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

// Subprocesses for integration tests (posix_spawn; see "Spawning" below for why not Foundation's
// `Process`). Each child gets its own process group, an empty signal mask, default signal handlers
// and no descriptors but stdin/stdout/stderr.
//
// `TestProcess.run(...)` starts a program, gives it stdin (nothing, bytes or a file), captures stdout
// and stderr into temporary files (so a chatty child never blocks on a full pipe) and enforces a
// timeout: on expiry the child's process group and all its descendants are killed and
// `TestProcessError` (reason `.timedOut`) is thrown. Anything the child leaves behind in its process
// group is killed once it exits.
//
//     let result = try await TestProcess.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path])
//     try result.requireSuccess()
//
// `TestProcess.start(...)` is the long-running form for servers. It returns a `RunningProcess`; wait for
// a line of output with `waitForLine(prefix:)`, stop it with `terminate()` (SIGTERM, then SIGKILL, sent
// to its process group and to every descendant, including those that called setsid() such as sshd's
// per-connection children). Use `defer { server.terminate() }` so it is stopped when a test fails;
// deinit and an atexit handler are the last line of defence.

import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program, its arguments and the environment variables to add for it.
struct TestCommand: Sendable, CustomStringConvertible {
    /// A path, or a name looked up in `PATH`.
    var executable: String
    var arguments: [String]
    /// Added to (or overriding) the test process's own environment.
    var environment: [String: String]

    init(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// Shell-quoted command line (environment additions are not shown: they may hold secrets).
    var description: String {
        ([executable] + arguments).map(shellQuoted).joined(separator: " ")
    }
}

/// What a child reads on stdin.
enum TestInput: Sendable {
    /// `/dev/null`.
    case none
    case data(Data)
    case file(String)
}

/// Where a child's stdout or stderr goes.
enum TestOutput: Sendable {
    /// Kept in a temporary file and returned in `ProcessResult`.
    case capture
    /// Written to this file (created or truncated); nothing is returned for it.
    case file(String)
    /// `/dev/null`.
    case discard
}

/// How a finished child ended and what it printed.
struct ProcessResult: Sendable, CustomStringConvertible {
    var command: String
    /// Exit status, or the signal number when `terminatedBySignal`.
    var status: Int32
    var terminatedBySignal: Bool
    var stdout: Data
    var stderr: Data

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    var succeeded: Bool { !terminatedBySignal && status == 0 }

    /// Throws `TestProcessError` (reason `.failed`) unless the exit status was 0.
    @discardableResult
    func requireSuccess() throws -> ProcessResult {
        guard succeeded else {
            throw TestProcessError(
                reason: .failed,
                command: command,
                status: status,
                stdout: stdoutText,
                stderr: stderrText
            )
        }
        return self
    }

    var description: String {
        let ending = terminatedBySignal ? "killed by signal \(status)" : "exit status \(status)"
        return "`\(command)`: \(ending)\n--- stdout:\n\(tail(stdoutText))\n--- stderr:\n\(tail(stderrText))"
    }
}

struct TestProcessError: Error, CustomStringConvertible {
    enum Reason: Sendable, Equatable {
        /// The executable was not found or could not be started.
        case launchFailed(String)
        case timedOut(Duration)
        /// Non-zero exit status or killed by a signal.
        case failed
        /// The process exited while something was still waiting for its output.
        case exitedEarly
        /// The awaited output did not appear in time.
        case outputNotSeen(String)
    }

    var reason: Reason
    var command: String
    var status: Int32? = nil
    var stdout: String = ""
    var stderr: String = ""

    var description: String {
        let what: String
        switch reason {
        case .launchFailed(let why): what = "could not start: \(why)"
        case .timedOut(let limit): what = "timed out after \(limit) (killed)"
        case .failed: what = "failed with status \(status.map(String.init) ?? "?")"
        case .exitedEarly: what = "exited (status \(status.map(String.init) ?? "?")) before the awaited output"
        case .outputNotSeen(let text): what = "did not print \(text.debugDescription) in time"
        }
        return "`\(command)` \(what)\n--- stdout:\n\(tail(stdout))\n--- stderr:\n\(tail(stderr))"
    }
}

enum TestProcess {
    /// Runs a command to completion; see the file header.
    static func run(
        _ command: TestCommand,
        stdin: TestInput = .none,
        stdout: TestOutput = .capture,
        stderr: TestOutput = .capture,
        workingDirectory: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        let process = try start(
            command,
            stdin: stdin,
            stdout: stdout,
            stderr: stderr,
            workingDirectory: workingDirectory
        )
        defer { process.terminate(grace: .zero) }
        return try await process.waitForExit(timeout: timeout)
    }

    static func run(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        stdin: TestInput = .none,
        stdout: TestOutput = .capture,
        stderr: TestOutput = .capture,
        workingDirectory: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        try await run(
            TestCommand(executable, arguments, environment: environment),
            stdin: stdin,
            stdout: stdout,
            stderr: stderr,
            workingDirectory: workingDirectory,
            timeout: timeout
        )
    }

    /// Starts a command and returns at once; see the file header.
    static func start(
        _ command: TestCommand,
        stdin: TestInput = .none,
        stdout: TestOutput = .capture,
        stderr: TestOutput = .capture,
        workingDirectory: String? = nil
    ) throws -> RunningProcess {
        try RunningProcess(
            command: command,
            stdin: stdin,
            stdout: stdout,
            stderr: stderr,
            workingDirectory: workingDirectory
        )
    }

    static func start(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        stdin: TestInput = .none,
        stdout: TestOutput = .capture,
        stderr: TestOutput = .capture,
        workingDirectory: String? = nil
    ) throws -> RunningProcess {
        try start(
            TestCommand(executable, arguments, environment: environment),
            stdin: stdin,
            stdout: stdout,
            stderr: stderr,
            workingDirectory: workingDirectory
        )
    }

    /// The full path of `name` (a name without "/" is looked up in `path`, by default `$PATH`).
    static func which(_ name: String, path: String? = nil) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        let searchPath = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}

/// A started child process; see the file header.
final class RunningProcess: @unchecked Sendable {
    let command: TestCommand
    let pid: Int32

    private let exit: ExitWaiter
    private let scratch: TemporaryDirectory
    private let stdoutPath: String?
    private let stderrPath: String?

    init(
        command: TestCommand,
        stdin: TestInput,
        stdout: TestOutput,
        stderr: TestOutput,
        workingDirectory: String?
    ) throws {
        let scratch = try TemporaryDirectory(prefix: "ferry-process")
        var environment = ProcessInfo.processInfo.environment
        environment.merge(command.environment) { _, new in new }
        guard let executable = TestProcess.which(command.executable, path: environment["PATH"]) else {
            throw TestProcessError(
                reason: .launchFailed("\(command.executable) not found in PATH"),
                command: command.description
            )
        }

        // The parent's copies of the child's stdio files are closed once the child has started.
        var opened: [Int32] = []
        defer {
            for fd in opened { close(fd) }
        }
        func openDescriptor(_ path: String, flags: Int32) throws -> Int32 {
            let fd = openFile(path, flags: flags | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                throw TestProcessError(reason: .launchFailed("\(path): \(reason)"), command: command.description)
            }
            opened.append(fd)
            return fd
        }
        func output(_ output: TestOutput, capture name: String) throws -> (Int32, String?) {
            switch output {
            case .discard: return (try openDescriptor("/dev/null", flags: O_WRONLY), nil)
            case .capture:
                let path = scratch.path(name)
                return (try openDescriptor(path, flags: O_WRONLY | O_CREAT | O_TRUNC), path)
            case .file(let path): return (try openDescriptor(path, flags: O_WRONLY | O_CREAT | O_TRUNC), nil)
            }
        }

        let input: Int32
        switch stdin {
        case .none: input = try openDescriptor("/dev/null", flags: O_RDONLY)
        case .file(let path): input = try openDescriptor(path, flags: O_RDONLY)
        case .data(let data):
            let path = scratch.path("stdin")
            try data.write(to: URL(fileURLWithPath: path))
            input = try openDescriptor(path, flags: O_RDONLY)
        }
        let (out, outPath) = try output(stdout, capture: "stdout")
        let (err, errPath) = try output(stderr, capture: "stderr")

        let pid: pid_t
        do {
            pid = try spawn(
                executable: executable,
                arguments: command.arguments,
                environment: environment,
                stdio: (input, out, err),
                workingDirectory: workingDirectory
            )
        } catch let error as SpawnError {
            throw TestProcessError(reason: .launchFailed(error.description), command: command.description)
        }
        liveProcesses.insert(pid)
        let exit = ExitWaiter()
        exit.reap(pid)

        self.command = command
        self.pid = pid
        self.exit = exit
        self.scratch = scratch
        self.stdoutPath = outPath
        self.stderrPath = errPath
    }

    deinit {
        terminate(grace: .zero)
        scratch.cleanup()
    }

    var isRunning: Bool { exit.result == nil }

    /// Captured stdout so far (empty unless stdout is `.capture`).
    var stdout: Data { stdoutPath.flatMap { FileManager.default.contents(atPath: $0) } ?? Data() }
    var stderr: Data { stderrPath.flatMap { FileManager.default.contents(atPath: $0) } ?? Data() }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// Waits for the first stdout line starting with `prefix` and returns it (without the newline).
    /// Throws if the process exits first or the line does not appear within `timeout`.
    func waitForLine(prefix: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lines = stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            if let result = exit.result {
                throw error(.exitedEarly, status: result.status)
            }
            if ContinuousClock.now >= deadline {
                throw error(.outputNotSeen(prefix))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the process to exit. On timeout, kills it (and its group and descendants) and throws.
    func waitForExit(timeout: Duration = .seconds(120)) async throws -> ProcessResult {
        guard await exit.wait(timeout: timeout) else {
            terminate(grace: .zero)
            _ = await exit.wait(timeout: .seconds(5))
            throw error(.timedOut(timeout))
        }
        let result = exit.result!
        killProcessGroup(pid, signal: SIGKILL)
        liveProcesses.remove(pid)
        return ProcessResult(
            command: command.description,
            status: result.status,
            terminatedBySignal: result.bySignal,
            stdout: stdout,
            stderr: stderr
        )
    }

    /// Stops the process: SIGTERM to its process group and all descendants, then SIGKILL to whatever
    /// is left after `grace`. Safe to call more than once, and after the process has exited.
    func terminate(grace: Duration = .seconds(3)) {
        let family = descendants(of: pid)
        if isRunning || family.contains(where: isAlive) || processGroupExists(pid) {
            if grace > .zero {
                killProcessGroup(pid, signal: SIGTERM)
                for child in family { kill(child, SIGTERM) }
                let deadline = ContinuousClock.now + grace
                while ContinuousClock.now < deadline,
                    isRunning || family.contains(where: isAlive)
                {
                    usleep(10_000)
                }
            }
            killProcessGroup(pid, signal: SIGKILL)
            for child in family where isAlive(child) { kill(child, SIGKILL) }
            // Give the reaper thread a moment to collect the exit status.
            let deadline = ContinuousClock.now + .seconds(5)
            while isRunning, ContinuousClock.now < deadline { usleep(5_000) }
        }
        liveProcesses.remove(pid)
    }

    private func error(_ reason: TestProcessError.Reason, status: Int32? = nil) -> TestProcessError {
        TestProcessError(
            reason: reason,
            command: command.description,
            status: status,
            stdout: stdoutText,
            stderr: stderrText
        )
    }
}

// MARK: - Exit notification

private final class ExitWaiter: @unchecked Sendable {
    struct Result {
        var status: Int32
        var bySignal: Bool
    }

    private let lock = NSLock()
    private var stored: Result?
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    var result: Result? { lock.withLock { stored } }

    /// Waits for `pid` on a thread of its own and records how it ended.
    func reap(_ pid: pid_t) {
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 {
                guard errno == EINTR else {
                    exited(status: -1, bySignal: false)
                    return
                }
            }
            let signal = status & 0x7F
            if signal == 0 {
                exited(status: (status >> 8) & 0xFF, bySignal: false)
            } else {
                exited(status: signal, bySignal: true)
            }
        }
        thread.name = "ferry-test-reaper-\(pid)"
        thread.start()
    }

    func exited(status: Int32, bySignal: Bool) {
        let pending = lock.withLock {
            stored = Result(status: status, bySignal: bySignal)
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for waiter in pending { waiter.resume() }
    }

    /// True once exited, false if `timeout` passed first.
    func wait(timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.waitForever()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || result != nil
        }
    }

    private func waitForever() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = lock.withLock {
                    if stored != nil || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}

// MARK: - Spawning

// Not Foundation's `Process`: swift-corelibs-foundation learns that a child exited when an inherited
// socket closes, then calls a blocking waitpid() on its single manager thread. A child that closes
// inherited descriptors and keeps running (sshd does at startup) therefore stalls exit detection for
// every process the test binary starts. posix_spawn plus one waitpid() thread per child has no such
// coupling, and lets us reset the child's signal mask and dispositions and close stray descriptors.

private struct SpawnError: Error, CustomStringConvertible {
    var description: String
}

private func spawn(
    executable: String,
    arguments: [String],
    environment: [String: String],
    stdio: (Int32, Int32, Int32),
    workingDirectory: String?
) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    func check(_ result: Int32, _ what: String) throws {
        if result != 0 {
            throw SpawnError(description: "\(what): \(String(cString: strerror(result)))")
        }
    }

    try check(posix_spawn_file_actions_adddup2(&actions, stdio.0, 0), "dup2 stdin")
    try check(posix_spawn_file_actions_adddup2(&actions, stdio.1, 1), "dup2 stdout")
    try check(posix_spawn_file_actions_adddup2(&actions, stdio.2, 2), "dup2 stderr")
    // Descriptors opened without O_CLOEXEC elsewhere in the test binary stay out of the child.
    for fd in openDescriptors() where fd > 2 {
        try check(posix_spawn_file_actions_addclose(&actions, fd), "close \(fd)")
    }
    if let workingDirectory {
        guard let addchdir = spawnAddChdir else {
            throw SpawnError(description: "posix_spawn_file_actions_addchdir_np is not available")
        }
        try check(addchdir(&actions, workingDirectory), "chdir \(workingDirectory)")
    }

    // New process group (pgid = pid), empty signal mask, default signal dispositions.
    let flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
    try check(posix_spawnattr_setflags(&attributes, Int16(truncatingIfNeeded: flags)), "setflags")
    try check(posix_spawnattr_setpgroup(&attributes, 0), "setpgroup")
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    try check(posix_spawnattr_setsigmask(&attributes, &noSignals), "setsigmask")
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    for signal in 1..<32 where signal != SIGKILL && signal != SIGSTOP {
        sigaddset(&defaultSignals, Int32(signal))
    }
    try check(posix_spawnattr_setsigdefault(&attributes, &defaultSignals), "setsigdefault")

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var pid = pid_t()
    try check(posix_spawn(&pid, executable, &actions, &attributes, argv, envp), "posix_spawn \(executable)")
    return pid
}

private func openFile(_ path: String, flags: Int32) -> Int32 {
    open(path, flags, 0o644)
}

/// The calling process's open descriptors (from /proc/self/fd or /dev/fd).
private func openDescriptors() -> [Int32] {
    for directory in ["/proc/self/fd", "/dev/fd"] {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) {
            return entries.compactMap { Int32($0) }
        }
    }
    return []
}

private typealias AddChdir =
    @convention(c) (
        UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>
    ) -> Int32

/// posix_spawn_file_actions_addchdir_np (glibc 2.29+, macOS 10.15+), which Swift does not import.
private let spawnAddChdir: AddChdir? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np") else { return nil }
    return unsafeBitCast(symbol, to: AddChdir.self)
}()

// MARK: - Process groups and trees

private func killProcessGroup(_ pgid: Int32, signal: Int32) {
    if pgid > 1 { kill(-pgid, signal) }
}

private func processGroupExists(_ pgid: Int32) -> Bool {
    pgid > 1 && kill(-pgid, 0) == 0
}

private func isAlive(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0
}

/// All descendants of `root` (children, grandchildren, ...) from /proc; empty where there is no /proc.
private func descendants(of root: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var children: [Int32: [Int32]] = [:]
    for entry in entries {
        guard let pid = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        // "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let ppid = Int32(fields[1]) else { continue }
        children[ppid, default: []].append(pid)
    }
    var result: [Int32] = []
    var queue = children[root] ?? []
    while let next = queue.popLast() {
        result.append(next)
        queue.append(contentsOf: children[next] ?? [])
    }
    return result
}

/// Children still running when the test binary exits are killed from an atexit handler.
private final class LiveProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var pids: Set<Int32> = []
    private var installed = false

    func insert(_ pid: Int32) {
        let install = lock.withLock {
            pids.insert(pid)
            defer { installed = true }
            return !installed
        }
        if install {
            atexit { liveProcesses.killAll() }
        }
    }

    func remove(_ pid: Int32) {
        _ = lock.withLock { pids.remove(pid) }
    }

    func killAll() {
        let all = lock.withLock { pids }
        for pid in all {
            let family = descendants(of: pid)
            killProcessGroup(pid, signal: SIGKILL)
            for child in family { kill(child, SIGKILL) }
        }
    }
}

private let liveProcesses = LiveProcesses()

// MARK: - Helpers

private func shellQuoted(_ word: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")
    if !word.isEmpty, word.unicodeScalars.allSatisfy(safe.contains) {
        return word
    }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

private func tail(_ text: String, limit: Int = 4000) -> String {
    text.count <= limit ? text : "…" + text.suffix(limit)
}

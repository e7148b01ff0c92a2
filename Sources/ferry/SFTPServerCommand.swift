import ArgumentParser
import FerryCore
import FerryRuntime
import Foundation
import Logging
import SFTPServer
import StorageLocal
import VFS

struct SFTPServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp-server",
        abstract: "Serve one SFTP session on standard input and output.",
        discussion: """
            The mode in which OpenSSH's sshd runs Ferry as its SFTP subsystem \
            ("Subsystem sftp /usr/local/bin/ferry sftp-server --root %d" in sshd_config), and in which \
            "sftp -D 'ferry sftp-server --root DIR'" talks to it without SSH. The client is jailed in --root: no \
            path, "..", or symbolic link reaches outside it. Uploads appear under their name only when complete.
            """
    )

    @Option(help: "The directory the client sees as / (default: the current directory).")
    var root: String?

    @Option(help: "The directory, inside the root, that relative paths start from.")
    var home: String = "/"

    @Flag(help: "Allow listing and downloading only.")
    var readOnly = false

    @Option(help: "The user name reported in events and home-directory replies (default: $USER).")
    var user: String?

    func run() async throws {
        let rootPath = self.root ?? FileManager.default.currentDirectoryPath
        let storage: LocalStorage
        do {
            storage = try await LocalStorage(root: rootPath)
        } catch {
            throw ValidationError("cannot serve \(rootPath): \(error)")
        }
        let home: FerryPath
        do {
            home = try FerryPath(parsing: self.home)
        } catch {
            throw ValidationError("--home \(self.home): \(error)")
        }
        let vfs = VFSSession(
            user: self.user ?? ProcessInfo.processInfo.environment["USER"] ?? "sftp",
            mounts: try VFSMountTable(root: VFSMount(storage: storage)),
            permissions: self.readOnly ? .readOnly : .all,
            home: home
        )
        // Standard output carries the protocol: anything logged goes to standard error.
        var logger = Logger(label: "ferry.sftp-server") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        try await SFTPStdioServer.serve(SFTPServerSession(vfs: vfs, logger: logger))
    }
}

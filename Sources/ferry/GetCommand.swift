import ArgumentParser
import SFTPClient
import SFTPProtocol

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Download a file (or, with -r, a directory tree).",
        discussion: """
            Each file is written to a hidden temporary name next to its final one (.NAME.ferry-partial) and \
            renamed into place once complete and flushed, so a half-written file never appears under the real \
            name. --continue resumes from that temporary file after an interruption.
            """
    )

    @Flag(name: .customShort("r"), help: "Copy directories recursively.")
    var recursive = false

    @Flag(name: [.customLong("continue"), .customShort("c")], help: "Resume interrupted downloads.")
    var resume = false

    @Flag(name: .customShort("p"), help: "Keep the modification time and permission bits.")
    var preserve = false

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Argument(help: "The remote file or directory.")
    var source: String

    @Argument(help: "Where to put it (default: the current directory).")
    var destination: String = "."

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.source)
            try await self.connection.withClient(location) { client in
                let path = SFTPPath(location.path)
                let attributes = try await client.stat(path)
                var target = self.destination
                if ClientPaths.isLocalDirectory(target) {
                    target = ClientPaths.join(target, ClientPaths.baseName(location.path))
                }
                if ClientPaths.isDirectory(attributes) {
                    guard self.recursive else {
                        throw SFTPClientError.status(
                            code: .failure,
                            message: "is a directory (use -r to copy it)",
                            path: location.path
                        )
                    }
                    try await self.copyTree(client, from: location.path, to: target)
                } else {
                    try await self.copyFile(client, from: location.path, to: target)
                }
            }
        }
    }

    func copyFile(_ client: SFTPClient, from remote: String, to local: String) async throws {
        let progress = TransferProgress(name: remote, quiet: self.quiet)
        let result = try await SFTPFileTransfer(client: client).download(
            SFTPPath(remote),
            to: local,
            resume: self.resume,
            preserve: self.preserve
        ) { done, total in progress.update(done, of: total) }
        progress.finish(size: result.size, transferred: result.transferred, resumedFrom: result.resumedFrom)
    }

    func copyTree(_ client: SFTPClient, from remote: String, to local: String) async throws {
        try ClientPaths.makeLocalDirectories(local)
        var entries = try await client.listDirectory(SFTPPath(remote))
        entries.sort { $0.filename.bytes.lexicographicallyPrecedes($1.filename.bytes) }
        for entry in entries {
            guard entry.filename.isPlainName else {
                printError("ferry: skipping \(remote): the server listed a name that is not a plain file name")
                continue
            }
            let name = entry.filename.description
            let remotePath = ClientPaths.join(remote, name)
            let localPath = ClientPaths.join(local, name)
            var attributes = entry.attributes
            if attributes.permissions?.isSymbolicLink == true {
                // Follow links to files; links to directories are skipped, so a loop cannot recurse forever.
                guard let target = try? await client.stat(SFTPPath(remotePath)), !ClientPaths.isDirectory(target) else {
                    printError("ferry: skipping \(remotePath): a link to a directory or a broken link")
                    continue
                }
                attributes = target
            }
            if ClientPaths.isDirectory(attributes) {
                try await self.copyTree(client, from: remotePath, to: localPath)
            } else if attributes.permissions == nil || attributes.permissions?.isRegularFile == true {
                try await self.copyFile(client, from: remotePath, to: localPath)
            } else {
                printError("ferry: skipping \(remotePath): not a regular file")
            }
        }
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = systemWrite(2, $0.baseAddress, $0.count) }
}

import ArgumentParser
import SFTPClient
import SFTPProtocol

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Upload a file (or, with -r, a directory tree).",
        discussion: """
            Each file is written to a hidden temporary name next to its final one (.NAME.ferry-partial) and \
            renamed over it once complete, so the server never shows a half-written file under the real name. \
            --continue resumes from that temporary file. --inplace writes straight to the final name, for \
            servers that do not allow renames.
            """
    )

    @Flag(name: .customShort("r"), help: "Copy directories recursively.")
    var recursive = false

    @Flag(name: [.customLong("continue"), .customShort("c")], help: "Resume interrupted uploads.")
    var resume = false

    @Flag(name: .customShort("p"), help: "Keep the modification time and permission bits.")
    var preserve = false

    @Flag(help: "Write directly to the final name (no temporary name and rename).")
    var inplace = false

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @Argument(help: "The local file or directory.")
    var source: String

    @Argument(help: "Where to put it: a remote directory or file name.")
    var destination: String

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.destination)
            let sourceIsDirectory = ClientPaths.isLocalDirectory(self.source)
            if sourceIsDirectory && !self.recursive {
                throw SFTPClientError.localFile(
                    path: self.source,
                    operation: "upload a directory without -r",
                    errno: EISDIR
                )
            }
            try await self.connection.withClient(location) { client in
                var target = location.path
                if ClientPaths.isDirectory(try await client.statIfExists(SFTPPath(target))) {
                    target = ClientPaths.join(target, ClientPaths.baseName(self.source))
                }
                if sourceIsDirectory {
                    try await self.copyTree(client, from: self.source, to: target)
                } else {
                    try await self.copyFile(client, from: self.source, to: target)
                }
            }
        }
    }

    func copyFile(_ client: SFTPClient, from local: String, to remote: String) async throws {
        let progress = TransferProgress(name: local, quiet: self.quiet)
        let result = try await SFTPFileTransfer(client: client).upload(
            from: local,
            to: SFTPPath(remote),
            resume: self.resume,
            preserve: self.preserve,
            inPlace: self.inplace
        ) { done, total in progress.update(done, of: total) }
        progress.finish(size: result.size, transferred: result.transferred, resumedFrom: result.resumedFrom)
    }

    func copyTree(_ client: SFTPClient, from local: String, to remote: String) async throws {
        if !ClientPaths.isDirectory(try await client.statIfExists(SFTPPath(remote))) {
            try await client.makeDirectory(SFTPPath(remote))
        }
        for entry in try ClientPaths.localEntries(local) {
            let localPath = ClientPaths.join(local, entry.name)
            let remotePath = ClientPaths.join(remote, entry.name)
            if entry.isDirectory {
                try await self.copyTree(client, from: localPath, to: remotePath)
            } else {
                try await self.copyFile(client, from: localPath, to: remotePath)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import ArgumentParser
import SFTPClient
import SFTPProtocol

struct RmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove remote files (and, with -r, directories with everything in them)."
    )

    @Flag(name: .customShort("r"), help: "Remove directories and their contents.")
    var recursive = false

    @Argument(help: "What to remove: sftp://[user@]host[:port]/path or [user@]host:path.")
    var location: String

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.location)
            try await self.connection.withClient(location) { client in
                let attributes = try await client.lstat(SFTPPath(location.path))
                if ClientPaths.isDirectory(attributes) {
                    guard self.recursive else {
                        throw SFTPClientError.status(
                            code: .failure,
                            message: "is a directory (use -r to remove it and its contents)",
                            path: location.path
                        )
                    }
                    try await Self.removeTree(client, location.path)
                } else {
                    try await client.remove(SFTPPath(location.path))
                }
            }
        }
    }

    static func removeTree(_ client: SFTPClient, _ path: String) async throws {
        for entry in try await client.listDirectory(SFTPPath(path)) {
            let child = ClientPaths.join(path, entry.filename.description)
            if ClientPaths.isDirectory(entry.attributes) {
                try await self.removeTree(client, child)
            } else {
                try await client.remove(SFTPPath(child))
            }
        }
        try await client.removeDirectory(SFTPPath(path))
    }
}

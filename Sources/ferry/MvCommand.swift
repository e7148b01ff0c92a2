import ArgumentParser
import SFTPClient
import SFTPProtocol

struct MvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mv",
        abstract: "Rename or move a remote file or directory on the same server.",
        discussion: """
            NEW-PATH is a path on the same server, relative to the login directory unless it starts with /. \
            When it is an existing directory, the file moves into it. An existing file is replaced only with -f.
            """
    )

    @Flag(
        name: .customShort("f"),
        help: "Replace an existing file (atomically when the server offers posix-rename, else removing it first)."
    )
    var force = false

    @Argument(help: "What to move: sftp://[user@]host[:port]/path or [user@]host:path.")
    var location: String

    @Argument(help: "The new path on the same server.")
    var newPath: String

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.location)
            try await self.connection.withClient(location) { client in
                var target = self.newPath
                if ClientPaths.isDirectory(try await client.statIfExists(SFTPPath(target))) {
                    target = ClientPaths.join(target, ClientPaths.baseName(location.path))
                }
                try await client.rename(SFTPPath(location.path), to: SFTPPath(target), replacing: self.force)
            }
        }
    }
}

import ArgumentParser
import SFTPClient
import SFTPProtocol

struct MkdirCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mkdir",
        abstract: "Create a remote directory."
    )

    @Flag(name: .customShort("p"), help: "Create missing parents too; an existing directory is not an error.")
    var parents = false

    @Argument(help: "The directory: sftp://[user@]host[:port]/path or [user@]host:path.")
    var location: String

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.location)
            try await self.connection.withClient(location) { client in
                guard self.parents else {
                    try await client.makeDirectory(SFTPPath(location.path))
                    return
                }
                var current = location.path.hasPrefix("/") ? "/" : ""
                for part in location.path.split(separator: "/") {
                    current = current.isEmpty ? String(part) : ClientPaths.join(current, String(part))
                    if ClientPaths.isDirectory(try await client.statIfExists(SFTPPath(current))) { continue }
                    try await client.makeDirectory(SFTPPath(current))
                }
            }
        }
    }
}

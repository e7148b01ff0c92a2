import ArgumentParser
import SFTPClient
import SFTPProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List a remote directory (or show one file).",
        discussion: """
            LOCATION is sftp://[user@]host[:port]/path or [user@]host:path. Hosts may be ~/.ssh/config aliases.
            """
    )

    @Flag(name: .customShort("l"), help: "Long listing: type, permissions, owner, size and time, as ls -l.")
    var long = false

    @Flag(name: .customShort("a"), help: "Include names that start with a dot.")
    var all = false

    @Argument(help: "What to list.")
    var location: String

    @OptionGroup var connection: ClientConnectionOptions

    func run() async throws {
        try await runClient {
            let location = try SFTPLocation.parse(self.location)
            try await self.connection.withClient(location) { client in
                let path = SFTPPath(location.path)
                let attributes = try await client.stat(path)
                guard ClientPaths.isDirectory(attributes) else {
                    print(self.long ? Self.longLine(location.path, attributes) : location.path)
                    return
                }
                var entries = try await client.listDirectory(path)
                if !self.all { entries.removeAll { $0.filename.bytes.first == UInt8(ascii: ".") } }
                entries.sort { $0.filename.bytes.lexicographicallyPrecedes($1.filename.bytes) }
                for entry in entries {
                    if self.long {
                        print(
                            entry.longname.isEmpty
                                ? Self.longLine(entry.filename.description, entry.attributes) : entry.longname
                        )
                    } else {
                        print(entry.filename.description)
                    }
                }
            }
        }
    }

    static func longLine(_ name: String, _ attributes: SFTPFileAttributes) -> String {
        SFTPLongName.format(filename: name, attributes: attributes, now: Int64(time(nil)))
    }
}

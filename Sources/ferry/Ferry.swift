import ArgumentParser

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Ferry moves files over SFTP and SSH.",
        subcommands: [
            ServeCommand.self,
            KeygenCommand.self, SSHServeCommand.self, SSHCommand.self, SFTPServerCommand.self, UserCommand.self,
            TransfersCommand.self,
            LsCommand.self, GetCommand.self, PutCommand.self, RmCommand.self, MvCommand.self, MkdirCommand.self,
            MirrorCommand.self,
        ]
    )
}

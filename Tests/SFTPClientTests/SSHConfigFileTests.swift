import Foundation
import NIOCore
import SSHClient
import Testing

@Suite struct SSHConfigFileTests {
    private func settings(
        _ text: String,
        for alias: String,
        user: String = "me",
        home: String = "/home/me"
    ) throws -> SSHHostSettings {
        try SSHConfigFile(contents: text, path: "config", homeDirectory: home)
            .settings(for: alias, localUser: user, homeDirectory: home)
    }

    @Test func hostBlocksWithWildcards() throws {
        let text = """
            Host web?
                User deploy
            Host *.example.com
                Port 2222
            Host *
                User nobody
                Port 22
            """
        let web = try self.settings(text, for: "web1")
        #expect(web.user == "deploy")
        #expect(web.port == 22)
        let example = try self.settings(text, for: "files.example.com")
        #expect(example.user == "nobody")
        #expect(example.port == 2222)
        let other = try self.settings(text, for: "web12")
        #expect(other.user == "nobody")
    }

    @Test func negatedPatternsExcludeAHost() throws {
        let text = """
            Host *.internal !db.internal
                User ops
            """
        #expect(try self.settings(text, for: "app.internal").user == "ops")
        #expect(try self.settings(text, for: "db.internal").user == nil)
        #expect(try self.settings(text, for: "APP.Internal").user == "ops", "matching ignores case")
    }

    @Test func theFirstValueWins() throws {
        let text = """
            Host backup
                Port 2200
                User first
            Host backup
                User second
            Host *
                Port 22
                StrictHostKeyChecking accept-new
                StrictHostKeyChecking no
            """
        let settings = try self.settings(text, for: "backup")
        #expect(settings.port == 2200)
        #expect(settings.user == "first")
        #expect(settings.strictHostKeyChecking == .acceptNew)
    }

    @Test func identityFilesAccumulateAndKnownHostsTakesAList() throws {
        let text = """
            Host box
                IdentityFile ~/.ssh/box_key
                UserKnownHostsFile ~/.ssh/known_box /etc/ssh/known_extra
            Host *
                IdentityFile ~/.ssh/id_ed25519
                IdentityFile ~/.ssh/box_key
                UserKnownHostsFile ~/.ssh/ignored
            """
        let settings = try self.settings(text, for: "box")
        #expect(settings.identityFiles == ["/home/me/.ssh/box_key", "/home/me/.ssh/id_ed25519"])
        #expect(settings.userKnownHostsFiles == ["/home/me/.ssh/known_box", "/etc/ssh/known_extra"])
    }

    @Test func equalsSignsQuotesCommentsAndCase() throws {
        let text = """
            # a comment
            HOST=box
              hostname = files.example.com
            \tUSER="John Smith"   # trailing comment
              IdentityFile '~/keys/my key'
              port=2022
              identitiesonly yes
              ConnectTimeout 1m30s
            """
        let settings = try self.settings(text, for: "box")
        #expect(settings.hostName == "files.example.com")
        #expect(settings.user == "John Smith")
        #expect(settings.port == 2022)
        #expect(settings.identityFiles == ["/home/me/keys/my key"])
        #expect(settings.identitiesOnly == true)
        #expect(settings.connectTimeout == .seconds(90))
    }

    @Test func tokensAreExpanded() throws {
        let text = """
            Host *.lan
                HostName %h.example.net
                User admin
                IdentityFile %d/.ssh/%r@%h-%u-100%%
                UserKnownHostsFile ~/.ssh/known_%n_%p
            """
        let settings = try self.settings(text, for: "nas.lan")
        #expect(settings.hostName == "nas.lan.example.net")
        #expect(settings.identityFiles == ["/home/me/.ssh/admin@nas.lan.example.net-me-100%"])
        #expect(settings.userKnownHostsFiles == ["/home/me/.ssh/known_nas.lan_22"])
        let explicit = try SSHConfigFile(contents: text, path: "config", homeDirectory: "/home/me")
            .settings(for: "nas.lan", localUser: "me", homeDirectory: "/home/me", remoteUser: "deploy", port: 2200)
        #expect(explicit.identityFiles == ["/home/me/.ssh/deploy@nas.lan.example.net-me-100%"])
        #expect(explicit.userKnownHostsFiles == ["/home/me/.ssh/known_nas.lan_2200"])
    }

    @Test func strictHostKeyCheckingValues() throws {
        for (value, policy) in [
            ("yes", SSHKnownHostsValidator.Policy.strict), ("ask", .strict), ("accept-new", .acceptNew),
            ("no", .off), ("off", .off),
        ] {
            #expect(try self.settings("StrictHostKeyChecking \(value)", for: "any").strictHostKeyChecking == policy)
        }
    }

    @Test func matchBlocksAreSkipped() throws {
        let text = """
            Match host box exec "true"
                User matched
                Port 1
            Host box
                User hosted
            """
        let settings = try self.settings(text, for: "box")
        #expect(settings.user == "hosted")
        #expect(settings.port == nil)
    }

    @Test func unknownKeywordsAreIgnored() throws {
        let text = """
            ForwardAgent yes
            SomethingNew whatever you like
            Host box
                ProxyJump bastion
                User kept
            """
        #expect(try self.settings(text, for: "box").user == "kept")
    }

    @Test func linesBeforeTheFirstHostApplyToEveryHost() throws {
        let text = """
            User everyone
            Host box
                User ignored
            """
        #expect(try self.settings(text, for: "box").user == "everyone")
    }

    @Test func malformedValuesNameTheFileLineAndKeyword() throws {
        let cases: [(String, Int, String)] = [
            ("Host box\n  Port abc", 2, "Port"),
            ("\n\nHost *\n  port 70000", 4, "port"),
            ("StrictHostKeyChecking maybe", 1, "StrictHostKeyChecking"),
            ("IdentitiesOnly perhaps", 1, "IdentitiesOnly"),
            ("ConnectTimeout soon", 1, "ConnectTimeout"),
            ("Host other\n  IdentityFile ~/.ssh/%q", 2, "IdentityFile"),
            ("User \"unterminated", 1, "User"),
            ("Host", 1, "Host"),
            ("HostName a b", 1, "HostName"),
        ]
        for (text, line, keyword) in cases {
            let error = #expect(throws: SSHConfigError.self) {
                _ = try SSHConfigFile(contents: text, path: "/etc/test_config")
            }
            #expect(error?.path == "/etc/test_config")
            #expect(error?.line == line, "\(text)")
            #expect(error?.keyword == keyword)
            #expect(error?.description.contains("/etc/test_config line \(line)") == true)
        }
    }

    @Test func includeReadsFilesRelativeToTheConfigDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ssh-config-\(UUID())")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("config.d"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        try "Host box\n  User fromInclude\n  Port 2201\n".write(
            to: directory.appendingPathComponent("config.d/10-box.conf"),
            atomically: true,
            encoding: .utf8
        )
        try "Port 2299\n".write(
            to: directory.appendingPathComponent("config.d/20-all.conf"),
            atomically: true,
            encoding: .utf8
        )
        try "Host box\n  Include config.d/*.conf\n  Include missing.conf\nHost *\n  User last\n".write(
            to: directory.appendingPathComponent("config"),
            atomically: true,
            encoding: .utf8
        )
        let file = try #require(try SSHConfigFile.load(path: directory.appendingPathComponent("config").path))
        let box = file.settings(for: "box", localUser: "me", homeDirectory: "/home/me")
        #expect(box.user == "fromInclude")
        #expect(box.port == 2201)
        let other = file.settings(for: "other", localUser: "me", homeDirectory: "/home/me")
        #expect(other.user == "last")
        #expect(other.port == nil, "the included lines obey the enclosing Host block")
    }

    @Test func loadingAMissingFileGivesNil() throws {
        #expect(try SSHConfigFile.load(path: "/nonexistent-ferry-dir/config") == nil)
    }
}

import Foundation
import Testing

/// `ferry serve` driven by third-party SFTP clients (paramiko, asyncssh, rclone, curl, lftp), and
/// `ferry sftp-server` driven by OpenSSH's sftp over a pipe. Each test is one scripted session that must
/// succeed completely, with the bytes compared on both sides and the uploads and downloads found in the
/// server's transfer log.
@Suite("ferry serve with third-party SFTP clients", .timeLimit(.minutes(10)))
struct ServeClientsTests {
    @Test("paramiko SFTPClient: every file operation with a password; a read-only user is refused with EACCES")
    func paramiko() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-paramiko")
        let server = try await FerryServeProcess.start(in: directory, users: "alice:alice-pass-1")
        try await server.addUser("reader", password: "reader-pass-1", permissions: "list,download")
        let local = directory.path("big.bin")
        let size = 5 * 1024 * 1024 + 333
        try await TestData.writeRandom(size: size, to: local)
        let report = try await SFTPPeer.run(
            "sftp_paramiko.py",
            [
                "--port", String(server.port), "--user", "alice", "--password-env", "FERRY_TEST_PASSWORD",
                "--known-hosts", try server.knownHostsFile(), "--local-file", local,
                "--reader", "reader", "--reader-password-env", "FERRY_TEST_READER_PASSWORD",
                // SFTPClient.put(confirm=True): more than 100 pipelined writes, whose replies paramiko reads
                // strictly in request order.
                "--pipelined-put",
            ],
            environment: ["FERRY_TEST_PASSWORD": "alice-pass-1", "FERRY_TEST_READER_PASSWORD": "reader-pass-1"]
        )
        #expect(report.ok, "\(report)\n\(server.log)")
        #expect(
            report.steps == [
                "mkdir", "put", "stat", "listdir_attr", "get", "rename", "posix_rename", "chmod", "utime",
                "symlink", "readlink", "append", "remove", "rmdir", "reader-denied",
            ],
            "\(report)"
        )
        let digest = try await Checksum.sha256(file: local)
        #expect(report.upload?.sha256 == digest)
        #expect(report.download?.sha256 == digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("alice")).isEmpty)
        let transfers = try await server.transfers(user: "alice")
        #expect(transfers.contains(action: "upload", path: "/inbox/big.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "download", path: "/inbox/big.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "rename", path: "/inbox/big.bin"), "\(transfers)")
        let reader = try await server.transfers(user: "reader").compactMap { $0["action"] as? String }
        #expect(reader == ["login"], "\(reader)")
        try await server.stop()
    }

    @Test("asyncssh SFTP client: key login, parallel 16 MiB put and get, copy-data, glob, makedirs, rmtree, statvfs")
    func asyncssh() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-asyncssh")
        let server = try await FerryServeProcess.start(in: directory, users: "seed:seed-pass-1")
        let key = try await TestKeyPair.generate(.ed25519, in: directory, comment: "carol")
        try await server.addUser("carol", keys: [key.publicKeyPath])
        let local = directory.path("big.bin")
        let size = 16 * 1024 * 1024 + 4097
        try await TestData.writeRandom(size: size, to: local)
        let report = try await SFTPPeer.run(
            "sftp_asyncssh.py",
            [
                "--port", String(server.port), "--user", "carol", "--key", key.privateKeyPath,
                "--known-hosts", try server.knownHostsFile(), "--local-file", local,
            ]
        )
        #expect(report.ok, "\(report)\n\(server.log)")
        #expect(
            report.steps == ["realpath", "makedirs", "put", "get", "remote_copy", "glob", "statvfs", "rmtree"],
            "\(report)"
        )
        let digest = try await Checksum.sha256(file: local)
        #expect(report.upload?.sha256 == digest)
        #expect(report.download?.sha256 == digest)
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("carol")).isEmpty)
        let transfers = try await server.transfers(user: "carol")
        #expect(transfers.contains(action: "upload", path: "/tree/one/big.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "download", path: "/tree/one/big.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "upload", path: "/tree/one/two/copy.bin", bytes: size), "\(transfers)")
        try await server.stop()
    }

    @Test("rclone's sftp backend: copy a tree of 200 files, check it by content, list, delete, rmdirs")
    func rclone() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-rclone")
        let server = try await FerryServeProcess.start(in: directory, users: "dave:dave-pass-1")
        let tree = try await LocalTree.make(in: directory, name: "tree")
        let obscured = try await TestProcess.run("rclone", ["obscure", "dave-pass-1"]).requireSuccess()
        let configFile = try directory.write("", to: "rclone.conf")
        let environment = [
            "RCLONE_CONFIG": configFile,
            "RCLONE_SFTP_PASS": obscured.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines),
        ]
        let options = [
            "--sftp-host", "127.0.0.1", "--sftp-port", String(server.port), "--sftp-user", "dave",
            "--sftp-known-hosts-file", try server.knownHostsFile(), "--sftp-disable-hashcheck",
            "--sftp-shell-type", "none", "--low-level-retries", "1", "--retries", "1",
        ]
        func rclone(_ arguments: [String]) async throws -> ProcessResult {
            try await TestProcess.run("rclone", arguments + options, environment: environment, timeout: .seconds(300))
        }

        let copy = try await rclone(["copy", "--create-empty-src-dirs", tree.path, ":sftp:up"])
        #expect(copy.succeeded, "\(copy)\n\(server.log)")
        #expect(try LocalTree.read(server.userDirectory("dave") + "/up") == tree.contents)

        let check = try await rclone(["check", "--download", tree.path, ":sftp:up"])
        #expect(check.succeeded, "\(check)")
        #expect(check.stderrText.contains("0 differences found"), "\(check)")
        #expect(check.stderrText.contains("\(tree.files.count) matching files"), "\(check)")

        let listing = try await rclone(["lsjson", "-R", ":sftp:up"])
        #expect(listing.succeeded, "\(listing)")
        let entries = try JSONSerialization.jsonObject(with: listing.stdout) as? [[String: Any]] ?? []
        var listed: [String: Int] = [:]
        for entry in entries where (entry["IsDir"] as? Bool) == false {
            listed[entry["Path"] as? String ?? "?"] = entry["Size"] as? Int
        }
        #expect(listed == tree.files.mapValues(\.count))
        let listedDirectories = Set(
            entries.filter { ($0["IsDir"] as? Bool) == true }.compactMap { $0["Path"] as? String }
        )
        #expect(listedDirectories == tree.directories)

        let delete = try await rclone(["delete", ":sftp:up"])
        #expect(delete.succeeded, "\(delete)")
        let left = try LocalTree.read(server.userDirectory("dave") + "/up")
        #expect(left.values.allSatisfy { $0 == nil } && Set(left.keys) == tree.directories, "\(left.keys)")
        let rmdirs = try await rclone(["rmdirs", ":sftp:up"])
        #expect(rmdirs.succeeded, "\(rmdirs)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("dave")).isEmpty)

        let transfers = try await server.transfers(user: "dave")
        let big = LocalTree.bigFile
        #expect(transfers.contains(action: "upload", path: "/up/\(big)", bytes: tree.files[big]!.count))
        #expect(transfers.contains(action: "download", path: "/up/\(big)", bytes: tree.files[big]!.count))
        #expect(transfers.contains(action: "upload", path: "/up/zero.bin", bytes: 0), "\(transfers)")
        #expect(transfers.count(where: { ($0["action"] as? String) == "upload" }) == tree.files.count)
        try await server.stop()
    }

    @Test("curl (libssh2): upload, download, rename and rm quote commands, a listing; host key pinned by SHA-256")
    func curl() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-curl")
        let server = try await FerryServeProcess.start(in: directory, users: "erin:erin-pass-1")
        // libssh2 settles on the ECDSA host key.
        let fingerprint =
            try await TestProcess.run(
                "ssh-keygen",
                ["-l", "-E", "sha256", "-f", server.dataDirectory + "/host_keys/ssh_host_ecdsa_key.pub"]
            ).requireSuccess().stdoutText.split(separator: " ")[1].dropFirst("SHA256:".count) + "="
        let config = try directory.write("user = \"erin:erin-pass-1\"\n", to: "curl.config", permissions: 0o600)
        let base = "sftp://127.0.0.1:\(server.port)"
        func curl(_ arguments: [String]) async throws -> ProcessResult {
            try await TestProcess.run(
                "curl",
                ["-sS", "-K", config, "--hostpubsha256", String(fingerprint)] + arguments
            )
        }
        let size = 3 * 1024 * 1024 + 5
        let local = directory.path("up.bin")
        try await TestData.writeRandom(size: size, to: local)
        let payload = try Data(contentsOf: URL(fileURLWithPath: local))

        let upload = try await curl(["--ftp-create-dirs", "-T", local, "\(base)/dir/a.bin"])
        #expect(upload.succeeded, "\(upload)\n\(server.log)")
        #expect(FileManager.default.contents(atPath: server.userDirectory("erin") + "/dir/a.bin") == payload)

        let back = directory.path("back.bin")
        let download = try await curl(["-o", back, "\(base)/dir/a.bin"])
        #expect(download.succeeded, "\(download)")
        #expect(FileManager.default.contents(atPath: back) == payload)

        let rename = try await curl(["-Q", "rename /dir/a.bin /dir/b.bin", "\(base)/dir/"])
        #expect(rename.succeeded, "\(rename)")
        #expect(rename.stdoutText.contains(" b.bin\n") && !rename.stdoutText.contains("a.bin"), "\(rename)")
        let names = try await curl(["-l", "\(base)/dir/"])
        #expect(names.succeeded, "\(names)")
        #expect(Set(names.stdoutText.split(separator: "\n")) == [".", "..", "b.bin"], "\(names)")
        let long = try await curl(["\(base)/dir/"])
        #expect(long.stdoutText.contains(" \(size) "), "\(long)")

        let remove = try await curl(["-Q", "rm /dir/b.bin", "-Q", "rmdir /dir", "\(base)/"])
        #expect(remove.succeeded, "\(remove)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("erin")).isEmpty)

        let wrongKey = try await TestProcess.run(
            "curl",
            ["-sS", "-K", config, "--hostpubsha256", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "\(base)/"]
        )
        #expect(!wrongKey.succeeded)

        let transfers = try await server.transfers(user: "erin")
        #expect(transfers.contains(action: "upload", path: "/dir/a.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "download", path: "/dir/a.bin", bytes: size), "\(transfers)")
        #expect(transfers.contains(action: "rename", path: "/dir/a.bin"), "\(transfers)")
        try await server.stop()
    }

    @Test("lftp over OpenSSH: mirror a tree up and back, list it, remove it")
    func lftp() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-serve-lftp")
        let server = try await FerryServeProcess.start(in: directory, users: "frank:frank-pass-1")
        let tree = try await LocalTree.make(in: directory, name: "tree")
        let back = try directory.makeDirectory("back")
        let ssh =
            "ssh -a -x -F /dev/null -o UserKnownHostsFile=\(try server.knownHostsFile())"
            + " -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o IdentityAgent=none"
            + " -o PubkeyAuthentication=no"
        let script = try directory.write(
            """
            set cmd:fail-exit yes
            set net:max-retries 1
            set sftp:connect-program "\(ssh)"
            open -u frank,frank-pass-1 sftp://127.0.0.1:\(server.port)
            mirror -R \(tree.path) remote
            mirror remote \(back)/remote
            cls -l remote/d
            rm -r remote

            """,
            to: "lftp.script",
            permissions: 0o600
        )
        let result = try await TestProcess.run(
            "lftp",
            ["-f", script],
            environment: ["HOME": directory.path],
            timeout: .seconds(300)
        )
        #expect(result.succeeded, "\(result)\n\(server.log)")
        #expect(try LocalTree.read(back + "/remote") == tree.contents)
        let bigName = String(LocalTree.bigFile.split(separator: "/").last!)
        #expect(result.stdoutText.contains(" \(tree.files[LocalTree.bigFile]!.count) "), "\(result)")
        #expect(result.stdoutText.contains("remote/d/\(bigName)"), "\(result)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.userDirectory("frank")).isEmpty)

        let transfers = try await server.transfers(user: "frank")
        let size = tree.files[LocalTree.bigFile]!.count
        #expect(transfers.contains(action: "upload", path: "/remote/\(LocalTree.bigFile)", bytes: size))
        #expect(transfers.contains(action: "download", path: "/remote/\(LocalTree.bigFile)", bytes: size))
        #expect(transfers.count(where: { ($0["action"] as? String) == "upload" }) == tree.files.count)
        try await server.stop()
    }

    @Test("ferry sftp-server on a pipe from sftp -D: a round trip, and no way out of the root")
    func stdioServer() async throws {
        let directory = try TemporaryDirectory(prefix: "ferry-sftp-server-stdio")
        let root = try directory.makeDirectory("root")
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: root + "/hosts", withDestinationPath: "/etc/hosts")
        let size = 2 * 1024 * 1024 + 3
        let local = directory.path("up.bin")
        try await TestData.writeRandom(size: size, to: local)
        let payload = try Data(contentsOf: URL(fileURLWithPath: local))
        let back = directory.path("back.bin")
        let stolen = ["stolen-1", "stolen-2", "stolen-3"].map { directory.path($0) }
        let commands = [
            "pwd", "cd ..", "pwd", "cd ../../..", "pwd", "put \(local) up.bin", "ls -l", "get up.bin \(back)",
            "rename up.bin kept.bin", "put \(local) gone.bin", "rm gone.bin", "-get escape/passwd \(stolen[0])",
            "-get hosts \(stolen[1])", "-get /etc/hostname \(stolen[2])", "-cd escape", "pwd", "-ls escape/", "bye",
        ]
        let batch = try directory.write(commands.joined(separator: "\n") + "\n", to: "batch")
        let result = try await TestProcess.run(
            "sftp",
            ["-b", batch, "-D", "\(FerryExecutable.path) sftp-server --root \(root)"]
        )
        #expect(result.succeeded, "\(result)")
        #expect(FileManager.default.contents(atPath: back) == payload)
        #expect(FileManager.default.contents(atPath: root + "/kept.bin") == payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == ["escape", "hosts", "kept.bin"])
        let workingDirectories = result.stdoutText.split(separator: "\n").filter {
            $0.hasPrefix("Remote working directory:")
        }
        #expect(workingDirectories == Array(repeating: "Remote working directory: /", count: 4), "\(result)")
        for path in stolen {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path)\n\(result)")
        }
        // Listing the link to /etc shows the link itself, never what is in /etc.
        let listing = result.stdoutText.components(separatedBy: "sftp> -ls escape/\n").last ?? ""
        let listed = listing.components(separatedBy: "sftp>").first ?? ""
        #expect(!listed.contains("passwd") && !listed.contains("hosts"), "\(result)")
    }
}

/// A Python SFTP session script in Peers/ and its JSON line.
private struct SFTPPeer: CustomStringConvertible {
    struct Transfer {
        var path: String
        var bytes: Int
        var sha256: String
    }

    var ok: Bool
    var steps: [String]
    var upload: Transfer?
    var download: Transfer?
    var json: String
    var stderr: String

    var description: String { "\(json)\n--- peer stderr:\n\(stderr)" }

    static func run(
        _ script: String,
        _ arguments: [String],
        environment: [String: String] = [:]
    ) async throws
        -> SFTPPeer
    {
        var environment = environment
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        let result = try await TestProcess.run(
            PythonPeer.python,
            [PythonPeer.peersDirectory + "/" + script] + arguments,
            environment: environment,
            timeout: .seconds(300)
        )
        guard let line = result.stdoutText.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            throw TestProcessError(
                reason: .failed,
                command: result.command,
                status: result.status,
                stdout: result.stdoutText,
                stderr: result.stderrText
            )
        }
        func transfer(_ key: String) -> Transfer? {
            guard let value = object[key] as? [String: Any] else { return nil }
            return Transfer(
                path: value["path"] as? String ?? "",
                bytes: value["bytes"] as? Int ?? -1,
                sha256: value["sha256"] as? String ?? ""
            )
        }
        return SFTPPeer(
            ok: object["ok"] as? Bool ?? false,
            steps: object["steps"] as? [String] ?? [],
            upload: transfer("upload"),
            download: transfer("download"),
            json: String(line),
            stderr: result.stderrText
        )
    }
}

/// A local folder of about 200 files of assorted sizes (empty ones, one of 3 MiB) in nested folders, one of
/// them empty.
private struct LocalTree {
    /// The folder's path.
    var path: String
    /// Relative path → contents.
    var files: [String: Data]
    /// Relative paths of the folders inside.
    var directories: Set<String>

    /// Files and folders: the folders map to nil.
    var contents: [String: Data?] {
        var contents: [String: Data?] = files.mapValues { $0 }
        for directory in directories { contents[directory] = .some(nil) }
        return contents
    }

    /// The 3 MiB file.
    static let bigFile = "d/big.bin"

    static func make(in directory: TemporaryDirectory, name: String) async throws -> LocalTree {
        let root = try directory.makeDirectory(name)
        let folders = ["", "a", "a/b", "a/b/c", "d"]
        for folder in folders + ["empty"] where !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        let sizes = [0, 1, 100, 4096, 65_536, 32_769, 200_001]
        var files: [String: Data] = [:]
        for index in 0..<198 {
            let folder = folders[index % folders.count]
            let relative = (folder.isEmpty ? "" : folder + "/") + String(format: "f%03d.bin", index)
            var data = Data(count: sizes[index % sizes.count])
            var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
            for offset in data.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                data[offset] = UInt8(truncatingIfNeeded: state >> 33)
            }
            files[relative] = data
        }
        files["zero.bin"] = Data()
        for (relative, data) in files {
            try data.write(to: URL(fileURLWithPath: root + "/" + relative))
        }
        try await TestData.writeRandom(size: 3 * 1024 * 1024, to: root + "/" + bigFile)
        files[bigFile] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + bigFile))
        return LocalTree(path: root, files: files, directories: Set(["a", "a/b", "a/b/c", "d", "empty"]))
    }

    /// Everything under `path`: files with their contents, folders as nil. Empty when `path` does not exist.
    static func read(_ path: String) throws -> [String: Data?] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var contents: [String: Data?] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
            contents[relative] =
                isDirectory.boolValue ? .some(nil) : try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative))
        }
        return contents
    }
}

extension Array where Element == [String: Any] {
    /// Whether the transfer log holds a successful record of `action` on `path` (of `bytes` bytes, if given).
    fileprivate func contains(action: String, path: String, bytes: Int? = nil) -> Bool {
        contains { record in
            record["action"] as? String == action && record["path"] as? String == path
                && record["result"] as? String == "ok" && (bytes == nil || record["bytes"] as? Int == bytes)
        }
    }
}

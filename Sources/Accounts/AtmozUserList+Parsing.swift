extension AtmozUserList {
    /// The longest plain-text password atmoz/sftp accepts, in bytes.
    static let maximumPasswordLength = 255

    /// Parses users in atmoz/sftp's format.
    ///
    /// - Parameter text: Entries separated by spaces or newlines; `#` starts a comment line.
    /// - Returns: The good entries and an error for each bad one. A name listed twice keeps its first entry and
    ///   reports the later ones.
    public static func parse(_ text: String) -> AtmozUserList {
        var list = AtmozUserList()
        var seen: Set<UserName> = []
        var position = 0
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.first == "#" { continue }
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            for token in tokens {
                position += 1
                switch Self.parseEntry(token, line: index + 1) {
                case .success(let entry):
                    if seen.insert(entry.name).inserted {
                        list.entries.append(entry)
                    } else {
                        list.errors.append(
                            EntryError(
                                line: index + 1,
                                entry: position,
                                userName: entry.name,
                                message: "the user is listed more than once; the first entry is used"
                            )
                        )
                    }
                case .failure(let failure):
                    list.errors.append(
                        EntryError(
                            line: index + 1,
                            entry: position,
                            userName: failure.userName,
                            message: failure.message
                        )
                    )
                }
            }
        }
        return list
    }

    private struct EntryFailure: Error {
        var userName: UserName?
        var message: String
    }

    private static func parseEntry(_ token: Substring, line: Int) -> Result<Entry, EntryFailure> {
        let fields = token.split(separator: ":", omittingEmptySubsequences: false)
        let name: UserName
        do {
            name = try UserName(String(fields[0]))
        } catch {
            return .failure(EntryFailure(userName: nil, message: error.message))
        }
        func fail(_ message: String) -> Result<Entry, EntryFailure> {
            .failure(EntryFailure(userName: name, message: message))
        }
        guard fields.count >= 2 else {
            return fail("missing ':' and password after the user name (write 'name:' for key-only logins)")
        }
        let pass = String(fields[1])
        var next = 2
        let password: Password
        if fields.count > 2 && fields[2] == "e" {
            next = 3
            guard !pass.isEmpty else { return fail("':e' is given but the encrypted password is empty") }
            guard PasswordHasher.isSupportedHash(pass) else {
                return fail(
                    "the encrypted password is not a supported crypt hash "
                        + "(yescrypt, bcrypt, SHA-512 or SHA-256 crypt; MD5 and DES are refused)"
                )
            }
            password = .encrypted(pass)
        } else if pass.isEmpty {
            password = .none
        } else {
            guard pass.utf8.count <= Self.maximumPasswordLength else {
                return fail("the password is longer than \(Self.maximumPasswordLength) bytes")
            }
            guard !pass.utf8.contains(0) else { return fail("the password contains a NUL character") }
            password = .plaintext(pass)
        }
        guard fields.count <= next + 3 else {
            return fail("too many ':'-separated fields (expected user:pass[:e][:uid[:gid[:dirs]]])")
        }
        let uid: UInt32?
        let gid: UInt32?
        switch (Self.parseID(fields, at: next, named: "uid"), Self.parseID(fields, at: next + 1, named: "gid")) {
        case (.failure(let message), _), (_, .failure(let message)):
            return fail(message)
        case (.success(let parsedUID), .success(let parsedGID)):
            uid = parsedUID
            gid = parsedGID
        }
        var directories: [String] = []
        if fields.count > next + 2 {
            for directory in fields[next + 2].split(separator: ",") {
                let components = directory.split(separator: "/")
                guard !components.isEmpty, !components.contains(".."), !components.contains(".") else {
                    return fail("a directory (field \(next + 3)) must be a path inside the home without '.' or '..'")
                }
                directories.append(components.joined(separator: "/"))
            }
        }
        return .success(
            Entry(name: name, password: password, uid: uid, gid: gid, directories: directories, line: line)
        )
    }

    private enum IDResult {
        case success(UInt32?)
        case failure(String)
    }

    /// Reads an optional decimal id. Its text is never echoed: a misplaced ':' could have put part of a
    /// password there.
    private static func parseID(_ fields: [Substring], at index: Int, named name: String) -> IDResult {
        guard index < fields.count, !fields[index].isEmpty else { return .success(nil) }
        let text = fields[index]
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = UInt32(text)
        else {
            return .failure("the \(name) (field \(index + 1)) is not a decimal number from 0 to \(UInt32.max)")
        }
        return .success(value)
    }
}

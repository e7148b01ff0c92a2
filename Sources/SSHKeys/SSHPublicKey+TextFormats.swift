import Foundation
import NIOCore
import SSHProtocol

extension SSHPublicKey {
    /// Parses a one-line OpenSSH public key, "ssh-ed25519 AAAA… comment", as found in `.pub` files.
    ///
    /// The type word must match the type inside the blob. Leading and trailing whitespace is ignored.
    public init(openSSHLine: String) throws {
        self = try Self.parseOpenSSHLine(openSSHLine[...]).key
    }

    /// Formats the key as one OpenSSH line, "type base64 [comment]", without a newline.
    public func openSSHLine(comment: String?) -> String {
        var line = self.type.rawValue + " " + Data(self.blob).base64EncodedString()
        if let comment, !comment.isEmpty {
            line += " " + comment
        }
        return line
    }

    /// Parses a public key file: either an OpenSSH line (the first line that is not blank or a `#` comment)
    /// or an RFC 4716 "---- BEGIN SSH2 PUBLIC KEY ----" block.
    public init(fileContents: String) throws {
        if fileContents.contains("---- BEGIN SSH2 PUBLIC KEY ----") {
            self = try Self.parseRFC4716(fileContents).key
            return
        }
        let line = fileContents.split(whereSeparator: \.isNewline).first {
            let trimmed = $0.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#")
        }
        guard let line else {
            throw SSHError(.invalidKey, "no public key found")
        }
        self = try Self.parseOpenSSHLine(line).key
    }

    /// Formats the key in the RFC 4716 SSH public key file format, with an optional "Comment" header.
    public func rfc4716Text(comment: String?) -> String {
        var text = "---- BEGIN SSH2 PUBLIC KEY ----\n"
        if let comment, !comment.isEmpty {
            let escaped = comment.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"",
                with: "\\\""
            )
            // Header lines are at most 72 bytes; a trailing backslash continues one (RFC 4716 §3.3).
            var remaining = Substring("Comment: \"\(escaped)\"")
            while remaining.utf8.count > 72 {
                var cut = remaining.startIndex
                var bytes = 0
                for index in remaining.indices {
                    let width = remaining[index].utf8.count
                    if bytes + width > 71 { break }
                    bytes += width
                    cut = remaining.index(after: index)
                }
                text += remaining[..<cut] + "\\\n"
                remaining = remaining[cut...]
            }
            text += remaining + "\n"
        }
        let encoded = Data(self.blob).base64EncodedString()
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 70, limitedBy: encoded.endIndex) ?? encoded.endIndex
            text += encoded[start..<end] + "\n"
            start = end
        }
        text += "---- END SSH2 PUBLIC KEY ----\n"
        return text
    }

    /// Splits "type base64 [comment]" and parses the key.
    static func parseOpenSSHLine(_ line: Substring) throws -> (key: SSHPublicKey, comment: String?) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = trimmed.split(
            maxSplits: 2,
            omittingEmptySubsequences: true,
            whereSeparator: { $0 == " " || $0 == "\t" }
        )
        guard fields.count >= 2 else {
            throw SSHError(.invalidKey, "expected \"type base64-key [comment]\"")
        }
        guard let blob = Data(base64Encoded: String(fields[1])) else {
            throw SSHError(.invalidKey, "the key is not valid base64")
        }
        let key = try SSHPublicKey(wireBlob: ByteBuffer(bytes: blob))
        guard key.type.rawValue == fields[0] else {
            throw SSHError(
                .invalidKey,
                "key type \"\(fields[0].prefix(64))\" does not match the encoded \(key.type.rawValue) key"
            )
        }
        let comment = fields.count > 2 ? fields[2].trimmingCharacters(in: .whitespaces) : nil
        return (key, comment?.isEmpty == false ? comment : nil)
    }

    /// Parses an RFC 4716 block, returning the key and its "Comment" header.
    static func parseRFC4716(_ text: String) throws -> (key: SSHPublicKey, comment: String?) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "---- BEGIN SSH2 PUBLIC KEY ----"),
            let end = lines[begin...].firstIndex(of: "---- END SSH2 PUBLIC KEY ----")
        else {
            throw SSHError(.invalidKey, "incomplete RFC 4716 public key block")
        }
        var comment: String?
        var base64 = ""
        var header: String?
        for line in lines[(begin + 1)..<end] {
            if var pending = header {
                // Continuation of a header that ended with a backslash.
                pending += line
                header = pending.hasSuffix("\\") ? String(pending.dropLast()) : nil
                if header == nil { comment = Self.commentValue(pending) ?? comment }
            } else if line.contains(":") {
                if line.hasSuffix("\\") {
                    header = String(line.dropLast())
                } else {
                    comment = Self.commentValue(line) ?? comment
                }
            } else {
                base64 += line
            }
        }
        guard let blob = Data(base64Encoded: base64) else {
            throw SSHError(.invalidKey, "the RFC 4716 key body is not valid base64")
        }
        return (try SSHPublicKey(wireBlob: ByteBuffer(bytes: blob)), comment)
    }

    /// The value of a "Comment:" header line, unquoted, or `nil` for other headers.
    private static func commentValue(_ line: String) -> String? {
        guard let colon = line.firstIndex(of: ":"),
            line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == "comment"
        else { return nil }
        var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
                .replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return value
    }
}

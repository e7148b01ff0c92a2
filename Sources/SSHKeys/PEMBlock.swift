import Foundation
import SSHProtocol

/// A textually armored binary block: `-----BEGIN LABEL-----`, optional RFC 1421 headers (used by
/// legacy encrypted PEM keys), base64 lines, `-----END LABEL-----` (RFC 7468).
struct PEMBlock {
    /// The label between "BEGIN " and the dashes, such as "OPENSSH PRIVATE KEY".
    var label: String
    /// RFC 1421 headers such as "Proc-Type" and "DEK-Info", keyed by name as written.
    var headers: [String: String]
    /// The decoded body.
    var body: [UInt8]

    init(label: String, headers: [String: String] = [:], body: [UInt8]) {
        self.label = label
        self.headers = headers
        self.body = body
    }

    /// Parses the first armored block in `text`; text before and after it is ignored.
    init(parsing text: String) throws {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let beginIndex = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }),
            lines[beginIndex].count > 16
        else {
            throw SSHError(.invalidKeyFile, "no PEM \"-----BEGIN\" line found")
        }
        let begin = lines[beginIndex]
        let label = String(begin.dropFirst(11).dropLast(5))
        let endLine = "-----END \(label)-----"
        guard let endIndex = lines[(beginIndex + 1)...].firstIndex(of: endLine) else {
            throw SSHError(.invalidKeyFile, "missing \"\(endLine)\" line")
        }
        var headers: [String: String] = [:]
        var base64 = ""
        var lastHeader: String?
        for line in lines[(beginIndex + 1)..<endIndex] {
            if base64.isEmpty, let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
                headers[name] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                lastHeader = name
            } else if base64.isEmpty, let name = lastHeader, line.first == " " || line.first == "\t" {
                headers[name, default: ""] += line.trimmingCharacters(in: .whitespaces)
            } else {
                base64 += line
            }
        }
        guard let body = Data(base64Encoded: base64) else {
            throw SSHError(.invalidKeyFile, "the \(label) block is not valid base64")
        }
        self.init(label: label, headers: headers, body: Array(body))
    }

    /// The armored text, with base64 lines of `lineLength` characters and a final newline.
    func armored(lineLength: Int = 64) -> String {
        let encoded = Data(self.body).base64EncodedString()
        var text = "-----BEGIN \(self.label)-----\n"
        for (name, value) in self.headers.sorted(by: { $0.key < $1.key }) {
            text += "\(name): \(value)\n"
        }
        if !self.headers.isEmpty { text += "\n" }
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: lineLength, limitedBy: encoded.endIndex) ?? encoded.endIndex
            text += encoded[start..<end] + "\n"
            start = end
        }
        text += "-----END \(self.label)-----\n"
        return text
    }
}

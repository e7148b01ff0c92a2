import NIOCore
import SSHProtocol

// RFC 4253 §4.2: "SSH-protoversion-softwareversion SP comments CR LF", at most 255 bytes. A server may
// send other lines first; a client may not.
extension SSHConnectionEngine {
    func readVersion() throws {
        while self.peerVersion == nil {
            let view = self.input.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                if view.count > 255 {
                    throw SSHError(.badVersion, "identification line longer than 255 bytes")
                }
                return
            }
            let lineLength = newline - view.startIndex
            guard lineLength < 255 else {
                throw SSHError(.badVersion, "identification line longer than 255 bytes")
            }
            var line = self.input.readSlice(length: lineLength + 1)!
            line.moveWriterIndex(to: line.writerIndex - 1)  // drop LF
            if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
            let text = String(decoding: line.readableBytesView, as: UTF8.self)
            if text.hasPrefix("SSH-") {
                guard text.hasPrefix("SSH-2.0-") || text.hasPrefix("SSH-1.99-") else {
                    throw SSHError(.badVersion, "unsupported protocol version in '\(text.prefix(64))'")
                }
                guard line.readableBytesView.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                    throw SSHError(.badVersion, "identification line contains control characters")
                }
                self.peerVersion = text
                return
            }
            // Lines before the version are only allowed from a server (RFC 4253 §4.2).
            guard self.configuration.role == .client else {
                throw SSHError(.badVersion, "client did not start with an SSH identification line")
            }
            self.preVersionLines += 1
            guard self.preVersionLines <= self.configuration.limits.maximumPreVersionLines else {
                throw SSHError(.badVersion, "too many lines before the identification line")
            }
        }
    }
}

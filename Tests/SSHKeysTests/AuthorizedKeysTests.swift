import Foundation
import Testing

@testable import SSHKeys

@Suite struct AuthorizedKeysTests {
    static let ed25519Line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea"

    @Test func parsesKeysOptionsAndComments() throws {
        let ecdsa = try TestKeys.key(.ecdsaP256).publicKey.openSSHLine(comment: nil)
        let text = """
            # comment line

               \t
            \(Self.ed25519Line) alice@laptop
            no-pty,command="/usr/lib/sftp-server -l INFO,extra",from="10.0.0.0/8,!10.0.0.66" \(ecdsa) bob key
            restrict,PTY,environment="A=\\"quoted\\" value" \(Self.ed25519Line)
              \(ecdsa)
            """
        let (keys, errors) = AuthorizedKeys.parse(text)
        #expect(errors.isEmpty, "\(errors)")
        try #require(keys.count == 4)

        #expect(keys[0].options.isEmpty)
        #expect(keys[0].comment == "alice@laptop")
        #expect(keys[0].line == 4)
        #expect(keys[0].key == (try SSHPublicKey(openSSHLine: Self.ed25519Line)))
        #expect(!keys[0].isRestricted && keys[0].permitsPTY && keys[0].forcedCommand == nil)

        #expect(
            keys[1].options == [
                AuthorizedKey.Option(name: "no-pty"),
                AuthorizedKey.Option(name: "command", value: "/usr/lib/sftp-server -l INFO,extra"),
                AuthorizedKey.Option(name: "from", value: "10.0.0.0/8,!10.0.0.66"),
            ]
        )
        #expect(keys[1].comment == "bob key")
        #expect(keys[1].forcedCommand == "/usr/lib/sftp-server -l INFO,extra")
        #expect(!keys[1].permitsPTY && keys[1].permitsPortForwarding)

        // Option names are case-insensitive; restrict turns everything off, pty turns one thing back on.
        #expect(keys[2].isRestricted)
        #expect(keys[2].values(of: "environment") == ["A=\"quoted\" value"])
        #expect(keys[2].permitsPTY)
        #expect(!keys[2].permitsPortForwarding && !keys[2].permitsAgentForwarding)
        #expect(!keys[2].permitsX11Forwarding && !keys[2].permitsUserRC)
        #expect(keys[3].comment == nil && keys[3].line == 7)
    }

    @Test func reportsBadLinesAndKeepsGoodOnes() throws {
        let text = """
            \(Self.ed25519Line) good
            bogus-option \(Self.ed25519Line)
            command=unquoted \(Self.ed25519Line)
            command="unterminated \(Self.ed25519Line)
            no-pty="value" \(Self.ed25519Line)
            from \(Self.ed25519Line)
            ssh-ed25519 AAAAnotbase64!!
            ssh-dss AAAAB3NzaC1kc3MAAACBAP
            no-pty
            cert-authority \(Self.ed25519Line)
            expiry-time="2024133" \(Self.ed25519Line)
            \(Self.ed25519Line) last
            """
        let (keys, errors) = AuthorizedKeys.parse(text)
        #expect(keys.map(\.line) == [1, 12])
        #expect(errors.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(errors[0].message.contains("unknown option"))
        #expect(errors[6].message.contains("unsupported key type"))
        #expect(errors[8].message.contains("cert-authority"))
    }

    @Test func fromPatterns() throws {
        func key(_ options: String) throws -> AuthorizedKey {
            let (keys, errors) = AuthorizedKeys.parse(options + " " + Self.ed25519Line)
            #expect(errors.isEmpty, "\(errors)")
            return try #require(keys.first)
        }
        #expect(try key("no-pty").allows(from: "203.0.113.9"))

        let cidr = try key(#"from="10.0.0.0/8,192.168.1.*,!10.0.0.66,2001:db8::/32""#)
        #expect(cidr.allows(from: "10.1.2.3"))
        #expect(!cidr.allows(from: "10.0.0.66"))
        #expect(cidr.allows(from: "192.168.1.200"))
        #expect(!cidr.allows(from: "192.168.2.1"))
        #expect(cidr.allows(from: "2001:db8::1"))
        #expect(!cidr.allows(from: "2001:db9::1"))
        #expect(cidr.allows(from: "::ffff:10.9.9.9"))  // IPv4-mapped
        #expect(!cidr.allows(from: "11.0.0.1"))

        let wildcard = try key(#"from="*.example.com,!bad.example.com,192.0.2.?""#)
        #expect(wildcard.allows(from: "192.0.2.7"))
        #expect(!wildcard.allows(from: "192.0.2.77"))
        #expect(wildcard.allows(from: "198.51.100.1", hostName: "Host.Example.COM"))
        #expect(!wildcard.allows(from: "198.51.100.1", hostName: "bad.example.com"))
        #expect(!wildcard.allows(from: "198.51.100.1"))

        // Several from= options must all agree.
        let both = try key(#"from="10.*",from="*.5""#)
        #expect(both.allows(from: "10.0.0.5"))
        #expect(!both.allows(from: "10.0.0.6"))
    }

    @Test func expiryTime() throws {
        let (keys, errors) = AuthorizedKeys.parse(
            """
            expiry-time="20300101Z" \(Self.ed25519Line)
            expiry-time="201001021530" \(Self.ed25519Line)
            """
        )
        #expect(errors.isEmpty, "\(errors)")
        try #require(keys.count == 2)
        #expect(keys[0].expiryDate == Date(timeIntervalSince1970: 1_893_456_000))
        #expect(!keys[0].isExpired(at: Date(timeIntervalSince1970: 1_893_455_999)))
        #expect(keys[0].isExpired(at: Date(timeIntervalSince1970: 1_893_456_000)))
        #expect(keys[1].isExpired())
        #expect(AuthorizedKey.parseExpiry("20240230") == nil)
        #expect(AuthorizedKey.parseExpiry("20240229235959Z") == Date(timeIntervalSince1970: 1_709_251_199))
    }

    @Test func wildcardMatching() {
        func match(_ subject: String, _ pattern: String) -> Bool {
            HostPatterns.wildcardMatch(Array(subject.utf8)[...], Array(pattern.utf8)[...])
        }
        #expect(match("", ""))
        #expect(match("", "*"))
        #expect(!match("", "?"))
        #expect(match("abc", "a*c"))
        #expect(match("abc", "*"))
        #expect(match("abc", "a?c"))
        #expect(!match("abc", "a?d"))
        #expect(match("aaab", "*a*b"))
        #expect(!match("aaab", "*a*c"))
        #expect(match("host.example.com", "*.example.*"))
        #expect(!match("example.com", "*.example.com"))
        #expect(HostPatterns.matchHost("HOST", list: "host") == .matched)
        #expect(HostPatterns.matchHost("host", list: "*,!host") == .negated)
        #expect(HostPatterns.matchHost("other", list: "h*") == .none)
        #expect(HostPatterns.cidrMatch([192, 168, 1, 1], block: "192.168.0.0/23"))
        #expect(!HostPatterns.cidrMatch([192, 168, 2, 1], block: "192.168.0.0/23"))
        #expect(HostPatterns.cidrMatch([1, 2, 3, 4], block: "0.0.0.0/0"))
        #expect(!HostPatterns.cidrMatch([1, 2, 3, 4], block: "1.2.3.4/33"))
        #expect(!HostPatterns.cidrMatch([1, 2, 3, 4], block: "junk/8"))
    }
}

import Crypto

/// Signs webhook bodies so a receiver can tell they came from Ferry and were not replayed.
///
/// The signature is HMAC-SHA256, keyed with the shared secret, over `TIMESTAMP.BODY` (the Unix time in seconds,
/// a dot, then the exact body bytes). It travels as `X-Ferry-Signature: sha256=HEX` next to
/// `X-Ferry-Timestamp: TIMESTAMP`; a receiver recomputes it, compares in constant time and rejects timestamps
/// too far from its own clock.
public struct WebhookSignature: Sendable {
    public static let signatureHeader = "X-Ferry-Signature"
    public static let timestampHeader = "X-Ferry-Timestamp"

    private let key: SymmetricKey

    public init(secret: [UInt8]) {
        self.key = SymmetricKey(data: secret)
    }

    /// The header value (`sha256=` and 64 lowercase hex digits) for `body` sent at `timestamp`.
    public func sign(body: some Sequence<UInt8>, timestamp: Int64) -> String {
        var mac = HMAC<SHA256>(key: self.key)
        mac.update(data: Array("\(timestamp).".utf8))
        mac.update(data: Array(body))
        return "sha256=" + Self.hex(Array(mac.finalize()))
    }

    /// Whether `header` is a valid signature of `body` at `timestamp`, compared in constant time.
    public func verify(header: String, body: some Sequence<UInt8>, timestamp: Int64) -> Bool {
        let expected = Array(self.sign(body: body, timestamp: timestamp).utf8)
        let given = Array(header.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

import Testing

@testable import SSHTransport

/// RFC 8439 §2.5.2 and Appendix A.3 (each also checked against OpenSSL's Poly1305 through Python's `cryptography`).
struct Poly1305Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var key: String
        var message: [UInt8]
        var tag: String
        var testDescription: String { self.name }
    }

    static let ietfText = Array(
        ("Any submission to the IETF intended by the Contributor for publication as all or part of an IETF "
            + "Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an "
            + "\"IETF Contribution\". Such statements include oral statements in IETF sessions, as well as written "
            + "and electronic communications made at any time or place, which are addressed to").utf8
    )

    static let jabberwocky = Array(
        ("'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the borogoves,\n"
            + "And the mome raths outgrabe.").utf8
    )

    static let vectors: [Vector] = [
        Vector(
            name: "§2.5.2",
            key: "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
            message: Array("Cryptographic Forum Research Group".utf8),
            tag: "a8061dc1305136c6c22b8baf0c0127a9"
        ),
        Vector(
            name: "A.3 #1",
            key: String(repeating: "00", count: 32),
            message: [UInt8](repeating: 0, count: 64),
            tag: String(repeating: "00", count: 16)
        ),
        Vector(
            name: "A.3 #2",
            key: String(repeating: "00", count: 16) + "36e5f6b5c5e06070f0efca96227a863e",
            message: ietfText,
            tag: "36e5f6b5c5e06070f0efca96227a863e"
        ),
        Vector(
            name: "A.3 #3",
            key: "36e5f6b5c5e06070f0efca96227a863e" + String(repeating: "00", count: 16),
            message: ietfText,
            tag: "f3477e7cd95417af89a6b8794c310cf0"
        ),
        Vector(
            name: "A.3 #4",
            key: "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0",
            message: jabberwocky,
            tag: "4541669a7eaaee61e708dc7cbcc5eb62"
        ),
        Vector(
            name: "A.3 #5",
            key: "02" + String(repeating: "00", count: 31),
            message: hex(String(repeating: "ff", count: 16)),
            tag: "03" + String(repeating: "00", count: 15)
        ),
        Vector(
            name: "A.3 #6",
            key: "02" + String(repeating: "00", count: 15) + String(repeating: "ff", count: 16),
            message: hex("02" + String(repeating: "00", count: 15)),
            tag: "03" + String(repeating: "00", count: 15)
        ),
        Vector(
            name: "A.3 #7",
            key: "01" + String(repeating: "00", count: 31),
            message: hex(
                String(repeating: "ff", count: 16) + "f0" + String(repeating: "ff", count: 15) + "11"
                    + String(repeating: "00", count: 15)
            ),
            tag: "05" + String(repeating: "00", count: 15)
        ),
        Vector(
            name: "A.3 #8",
            key: "01" + String(repeating: "00", count: 31),
            message: hex(
                String(repeating: "ff", count: 16) + "fb" + String(repeating: "fe", count: 15)
                    + String(repeating: "01", count: 16)
            ),
            tag: String(repeating: "00", count: 16)
        ),
        Vector(
            name: "A.3 #9",
            key: "02" + String(repeating: "00", count: 31),
            message: hex("fd" + String(repeating: "ff", count: 15)),
            tag: "fa" + String(repeating: "ff", count: 15)
        ),
        Vector(
            name: "A.3 #10",
            key: "0100000000000000040000000000000000000000000000000000000000000000",
            message: hex(
                "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000"
                    + "0000000000000000" + "01000000000000000000000000000000"
            ),
            tag: "14000000000000005500000000000000"
        ),
        Vector(
            name: "A.3 #11",
            key: "0100000000000000040000000000000000000000000000000000000000000000",
            message: hex(
                "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000"
                    + "0000000000000000"
            ),
            tag: "13000000000000000000000000000000"
        ),
    ]

    @Test(arguments: vectors)
    func oneShot(_ vector: Vector) {
        let key = hex(vector.key)
        let tag = vector.message.withUnsafeBytes { message in
            key.withUnsafeBytes { Poly1305.authenticate(message: message, key: $0) }
        }
        #expect(hexString(tag) == vector.tag)
    }

    /// The same vectors fed in uneven pieces, so partial blocks are carried between updates.
    @Test(arguments: vectors, [1, 3, 15, 16, 17, 40])
    func incremental(_ vector: Vector, chunk: Int) {
        let key = hex(vector.key)
        var poly = key.withUnsafeBytes { Poly1305(key: $0) }
        var offset = 0
        while offset < vector.message.count {
            let end = min(offset + chunk, vector.message.count)
            vector.message[offset..<end].withUnsafeBytes { poly.update($0) }
            offset = end
        }
        #expect(hexString(poly.finalize()) == vector.tag)
    }
}

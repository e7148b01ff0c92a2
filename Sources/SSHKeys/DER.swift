import SSHProtocol

/// The small subset of ASN.1 DER (X.690) that PKCS#1, SEC1, PKCS#8 and SubjectPublicKeyInfo need.
enum DER {
    static let integerTag: UInt8 = 0x02
    static let bitStringTag: UInt8 = 0x03
    static let octetStringTag: UInt8 = 0x04
    static let nullTag: UInt8 = 0x05
    static let objectIdentifierTag: UInt8 = 0x06
    static let sequenceTag: UInt8 = 0x30

    /// The tag of the constructed, context-specific element `[number]`.
    static func contextTag(_ number: UInt8) -> UInt8 { 0xA0 | number }

    /// Encodes an element.
    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        if content.count < 0x80 {
            out.append(UInt8(content.count))
        } else {
            var length = content.count
            var lengthBytes: [UInt8] = []
            while length > 0 {
                lengthBytes.insert(UInt8(truncatingIfNeeded: length), at: 0)
                length >>= 8
            }
            out.append(0x80 | UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes)
        }
        out.append(contentsOf: content)
        return out
    }

    /// Encodes a SEQUENCE of already-encoded elements.
    static func sequence(_ elements: [[UInt8]]) -> [UInt8] {
        self.element(sequenceTag, elements.flatMap { $0 })
    }

    /// Encodes a non-negative INTEGER from its big-endian magnitude.
    static func integer<Bytes: Collection>(_ magnitude: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var content = Array(magnitude.drop(while: { $0 == 0 }))
        if content.isEmpty || content[0] & 0x80 != 0 {
            content.insert(0, at: 0)
        }
        return self.element(integerTag, content)
    }

    /// Encodes an OBJECT IDENTIFIER given in dotted form, such as "1.2.840.113549.1.1.1".
    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        self.element(objectIdentifierTag, self.objectIdentifierContent(dotted))
    }

    /// The content octets of an OBJECT IDENTIFIER given in dotted form.
    static func objectIdentifierContent(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        precondition(arcs.count >= 2)
        var content: [UInt8] = []
        for arc in [arcs[0] * 40 + arcs[1]] + arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7F)]
            var rest = arc >> 7
            while rest > 0 {
                chunk.insert(UInt8(rest & 0x7F) | 0x80, at: 0)
                rest >>= 7
            }
            content.append(contentsOf: chunk)
        }
        return content
    }

    /// Reads DER elements from a byte slice; every failure is reported as `SSHError(.invalidKeyFile)`.
    struct Reader {
        private(set) var bytes: ArraySlice<UInt8>

        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
        init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

        var isAtEnd: Bool { self.bytes.isEmpty }

        /// The tag of the next element, if any.
        var nextTag: UInt8? { self.bytes.first }

        /// Reads any element, returning its tag and content octets.
        mutating func readElement() throws -> (tag: UInt8, content: ArraySlice<UInt8>) {
            guard self.bytes.count >= 2 else { throw Self.malformed("truncated element") }
            let tag = self.bytes[self.bytes.startIndex]
            guard tag & 0x1F != 0x1F else { throw Self.malformed("multi-byte tags are not supported") }
            var index = self.bytes.startIndex + 1
            let first = self.bytes[index]
            index += 1
            var length = 0
            if first < 0x80 {
                length = Int(first)
            } else {
                let count = Int(first & 0x7F)
                guard count >= 1, count <= 4, self.bytes.endIndex - index >= count else {
                    throw Self.malformed("bad length")
                }
                for _ in 0..<count {
                    length = length << 8 | Int(self.bytes[index])
                    index += 1
                }
            }
            guard self.bytes.endIndex - index >= length else { throw Self.malformed("element runs past the end") }
            let content = self.bytes[index..<(index + length)]
            self.bytes = self.bytes[(index + length)...]
            return (tag, content)
        }

        /// Reads an element that must carry `tag`.
        mutating func read(_ tag: UInt8) throws -> ArraySlice<UInt8> {
            let element = try self.readElement()
            guard element.tag == tag else {
                throw Self.malformed("expected tag \(tag), found \(element.tag)")
            }
            return element.content
        }

        /// Reads a SEQUENCE (or another constructed element with `tag`) and returns a reader over its content.
        mutating func readConstructed(_ tag: UInt8 = DER.sequenceTag) throws -> Reader {
            Reader(try self.read(tag))
        }

        /// Reads a non-negative INTEGER and returns its magnitude without leading zero bytes.
        mutating func readUnsignedInteger() throws -> [UInt8] {
            let content = try self.read(DER.integerTag)
            guard let first = content.first, first & 0x80 == 0 else {
                throw Self.malformed("empty or negative integer")
            }
            return Array(content.drop(while: { $0 == 0 }))
        }

        /// Reads a small non-negative INTEGER, such as a version number or iteration count.
        mutating func readSmallInteger() throws -> Int {
            let magnitude = try self.readUnsignedInteger()
            guard magnitude.count <= 4 else { throw Self.malformed("integer too large") }
            return magnitude.reduce(0) { $0 << 8 | Int($1) }
        }

        /// Reads an OCTET STRING.
        mutating func readOctetString() throws -> [UInt8] {
            Array(try self.read(DER.octetStringTag))
        }

        /// Reads a BIT STRING that has no unused bits and returns its bytes.
        mutating func readBitString() throws -> [UInt8] {
            let content = try self.read(DER.bitStringTag)
            guard content.first == 0 else { throw Self.malformed("bit string with unused bits") }
            return Array(content.dropFirst())
        }

        /// Reads an OBJECT IDENTIFIER and returns its content octets, for comparison with
        /// ``DER/objectIdentifierContent(_:)``.
        mutating func readObjectIdentifier() throws -> [UInt8] {
            Array(try self.read(DER.objectIdentifierTag))
        }

        /// Reads the element `[number]` if it comes next.
        mutating func readOptionalContext(_ number: UInt8) throws -> Reader? {
            guard self.nextTag == DER.contextTag(number) else { return nil }
            return try self.readConstructed(DER.contextTag(number))
        }

        /// Throws unless every byte has been read.
        func expectEnd() throws {
            guard self.isAtEnd else { throw Self.malformed("unexpected trailing data") }
        }

        private static func malformed(_ detail: String) -> SSHError {
            SSHError(.invalidKeyFile, "malformed DER: \(detail)")
        }
    }
}

/// Object identifiers used by the key formats.
enum KnownOID {
    static let rsaEncryption = DER.objectIdentifierContent("1.2.840.113549.1.1.1")
    static let ecPublicKey = DER.objectIdentifierContent("1.2.840.10045.2.1")
    static let prime256v1 = DER.objectIdentifierContent("1.2.840.10045.3.1.7")
    static let secp384r1 = DER.objectIdentifierContent("1.3.132.0.34")
    static let secp521r1 = DER.objectIdentifierContent("1.3.132.0.35")
    static let ed25519 = DER.objectIdentifierContent("1.3.101.112")
    static let pbes2 = DER.objectIdentifierContent("1.2.840.113549.1.5.13")
    static let pbkdf2 = DER.objectIdentifierContent("1.2.840.113549.1.5.12")
    static let hmacWithSHA1 = DER.objectIdentifierContent("1.2.840.113549.2.7")
    static let hmacWithSHA256 = DER.objectIdentifierContent("1.2.840.113549.2.9")
    static let hmacWithSHA384 = DER.objectIdentifierContent("1.2.840.113549.2.10")
    static let hmacWithSHA512 = DER.objectIdentifierContent("1.2.840.113549.2.11")
    static let aes128CBC = DER.objectIdentifierContent("2.16.840.1.101.3.4.1.2")
    static let aes192CBC = DER.objectIdentifierContent("2.16.840.1.101.3.4.1.22")
    static let aes256CBC = DER.objectIdentifierContent("2.16.840.1.101.3.4.1.42")

    /// The named-curve identifier of an ECDSA key type.
    static func curve(of type: SSHKeyType) -> [UInt8]? {
        switch type {
        case .ecdsaP256: prime256v1
        case .ecdsaP384: secp384r1
        case .ecdsaP521: secp521r1
        case .ed25519, .rsa: nil
        }
    }

    /// The ECDSA key type of a named-curve identifier.
    static func keyType(ofCurve oid: [UInt8]) -> SSHKeyType? {
        [SSHKeyType.ecdsaP256, .ecdsaP384, .ecdsaP521].first { self.curve(of: $0) == oid }
    }
}

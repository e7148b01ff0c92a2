/// The Blowfish block cipher (Schneier, 1993) with the "expensive key schedule" extension bcrypt adds
/// (Provos and Mazières, 1999), as used by `bcrypt_pbkdf`.
///
/// Only what bcrypt needs is here: encryption of 64-bit blocks held as two big-endian 32-bit halves,
/// the standard key schedule and the salted one. The state lives in one manually managed buffer and
/// the round function reads it through raw pointers, so the key schedule stays fast in debug builds.
final class Blowfish {
    /// 18 P-array words followed by the four 256-word S-boxes, contiguous.
    private static let stateWords = 18 + 4 * 256

    private let state: UnsafeMutablePointer<UInt32>

    /// Creates a cipher in the initial state (the digits of pi), before any key is mixed in.
    init() {
        self.state = UnsafeMutablePointer<UInt32>.allocate(capacity: Self.stateWords)
        self.reset()
    }

    /// Creates a cipher keyed with the standard Blowfish key schedule.
    ///
    /// - Parameter key: 1 to 72 bytes (Blowfish proper uses at most 56).
    convenience init(key: [UInt8]) {
        self.init()
        let words = Self.cyclicWords(key, count: 18)
        words.withUnsafeBufferPointer { self.expand(key: $0.baseAddress!) }
    }

    deinit {
        self.state.update(repeating: 0, count: Self.stateWords)
        self.state.deallocate()
    }

    /// Restores the initial state.
    func reset() {
        Blowfish.initialP.withUnsafeBufferPointer { self.state.update(from: $0.baseAddress!, count: 18) }
        var offset = 18
        for box in [Blowfish.initialS0, Blowfish.initialS1, Blowfish.initialS2, Blowfish.initialS3] {
            box.withUnsafeBufferPointer { (self.state + offset).update(from: $0.baseAddress!, count: 256) }
            offset += 256
        }
    }

    /// Encrypts one block in place.
    func encrypt(_ left: inout UInt32, _ right: inout UInt32) {
        Self.encipher(self.state, &left, &right)
    }

    /// The standard key schedule step (`expand0state`): XORs 18 key words into the P-array, then
    /// replaces the P-array and S-boxes with successive encryptions of the all-zero block.
    ///
    /// - Parameter key: 18 words, the key bytes read cyclically as big-endian words.
    func expand(key: UnsafePointer<UInt32>) {
        let state = self.state
        for index in 0..<18 {
            state[index] ^= key[index]
        }
        var left: UInt32 = 0
        var right: UInt32 = 0
        var index = 0
        while index < Self.stateWords {
            Self.encipher(state, &left, &right)
            state[index] = left
            state[index + 1] = right
            index += 2
        }
    }

    /// The salted key schedule step (`expandstate`): like ``expand(key:)``, but every block is first
    /// XORed with the next two words of the salt.
    ///
    /// - Parameters:
    ///   - key: 18 words, the key bytes read cyclically as big-endian words.
    ///   - salt: 16 words, the 64 salt bytes as big-endian words; they are used cyclically.
    func expand(key: UnsafePointer<UInt32>, salt: UnsafePointer<UInt32>) {
        let state = self.state
        for index in 0..<18 {
            state[index] ^= key[index]
        }
        var left: UInt32 = 0
        var right: UInt32 = 0
        var index = 0
        var saltIndex = 0
        while index < Self.stateWords {
            left ^= salt[saltIndex]
            right ^= salt[saltIndex + 1]
            saltIndex = (saltIndex + 2) & 15
            Self.encipher(state, &left, &right)
            state[index] = left
            state[index + 1] = right
            index += 2
        }
    }

    /// Reads `count` big-endian words from `bytes`, wrapping around to the start as often as needed.
    static func cyclicWords(_ bytes: [UInt8], count: Int) -> [UInt32] {
        precondition(!bytes.isEmpty)
        var words: [UInt32] = []
        words.reserveCapacity(count)
        var position = 0
        for _ in 0..<count {
            var word: UInt32 = 0
            for _ in 0..<4 {
                word = word << 8 | UInt32(bytes[position])
                position += 1
                if position == bytes.count { position = 0 }
            }
            words.append(word)
        }
        return words
    }

    /// Sixteen Feistel rounds over the state at `p` (P-array, then S-boxes).
    ///
    /// The S-box indices are computed in `Int` arithmetic from one conversion per half-round, which
    /// keeps unoptimised builds several times faster than converting each byte.
    @inline(__always)
    private static func encipher(_ p: UnsafeMutablePointer<UInt32>, _ left: inout UInt32, _ right: inout UInt32) {
        let s = UnsafePointer(p + 18)
        var l = left ^ p[0]
        var r = right
        var round = 1
        while round < 17 {
            var x = Int(truncatingIfNeeded: l)
            r ^=
                (((s[x >> 24] &+ s[256 | ((x >> 16) & 0xFF)]) ^ s[512 | ((x >> 8) & 0xFF)]) &+ s[768 | (x & 0xFF)])
                ^ p[round]
            x = Int(truncatingIfNeeded: r)
            l ^=
                (((s[x >> 24] &+ s[256 | ((x >> 16) & 0xFF)]) ^ s[512 | ((x >> 8) & 0xFF)]) &+ s[768 | (x & 0xFF)])
                ^ p[round + 1]
            round &+= 2
        }
        left = r ^ p[17]
        right = l
    }
}

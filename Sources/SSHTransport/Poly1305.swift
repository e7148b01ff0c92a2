/// The Poly1305 one-time authenticator (RFC 8439 §2.5).
///
/// The accumulator is kept in radix 2^64 as `h0 + h1·2^64 + h2·2^128` (h2 holds a few bits only) and multiplied
/// by the clamped `r = r0 + r1·2^64`. Reduction modulo `p = 2^130 − 5` uses `2^130 ≡ 5 (mod p)`; because clamping
/// clears the low two bits of `r1`, `h1·r1·2^128 = h1·(r1/4)·2^130 ≡ h1·s1` with `s1 = r1 + r1/4`, and likewise
/// `h2·r1·2^192 ≡ h2·s1·2^64`.
struct Poly1305 {
    /// The tag length in bytes.
    static let tagLength = 16
    /// The one-time key length in bytes: 16 bytes of `r` followed by 16 bytes of `s`.
    static let keyLength = 32

    private let r0: UInt64
    private let r1: UInt64
    private let s1: UInt64
    private let pad0: UInt64
    private let pad1: UInt64
    private var h0: UInt64 = 0
    private var h1: UInt64 = 0
    private var h2: UInt64 = 0
    /// Bytes of a partial block waiting for more input.
    private var pending: (UInt64, UInt64) = (0, 0)
    private var pendingCount = 0

    /// Creates an authenticator from a 32-byte one-time key.
    init(key: UnsafeRawBufferPointer) {
        precondition(key.count == Self.keyLength, "Poly1305 needs a 32-byte key")
        // RFC 8439 §2.5.1 clamp(r): r &= 0x0ffffffc0ffffffc0ffffffc0fffffff
        self.r0 = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) & 0x0FFF_FFFC_0FFF_FFFF
        self.r1 = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) & 0x0FFF_FFFC_0FFF_FFFC
        self.s1 = self.r1 &+ (self.r1 >> 2)
        self.pad0 = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        self.pad1 = UInt64(littleEndian: key.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Computes the tag of `message` under `key` in one call.
    static func authenticate(message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        var poly = Poly1305(key: key)
        poly.update(message)
        return poly.finalize()
    }

    /// Absorbs more message bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        if self.pendingCount > 0 {
            let start = self.pendingCount
            let take = min(16 - start, bytes.count)
            withUnsafeMutableBytes(of: &self.pending) { pending in
                for index in 0..<take { pending[start + index] = bytes[index] }
            }
            self.pendingCount += take
            offset = take
            guard self.pendingCount == 16 else { return }
            self.block(UInt64(littleEndian: self.pending.0), UInt64(littleEndian: self.pending.1), hibit: 1)
            self.pendingCount = 0
        }
        while bytes.count - offset >= 16 {
            let m0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let m1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            self.block(m0, m1, hibit: 1)
            offset += 16
        }
        if offset < bytes.count {
            self.pending = (0, 0)
            let tail = bytes.count - offset
            withUnsafeMutableBytes(of: &self.pending) { pending in
                for index in 0..<tail { pending[index] = bytes[offset + index] }
            }
            self.pendingCount = tail
        }
    }

    /// Finishes and returns the 16-byte tag (RFC 8439 §2.5.1: `a += s`, serialised little-endian).
    mutating func finalize() -> [UInt8] {
        if self.pendingCount > 0 {
            // A short final block is followed by a single 1 byte and zero-filled; it gets no 2^128 bit.
            let count = self.pendingCount
            withUnsafeMutableBytes(of: &self.pending) { pending in
                pending[count] = 1
                for index in (count + 1)..<16 { pending[index] = 0 }
            }
            self.block(UInt64(littleEndian: self.pending.0), UInt64(littleEndian: self.pending.1), hibit: 0)
            self.pendingCount = 0
        }
        // Full reduction: h is below 2p here, so h mod p is h − p when h + 5 reaches 2^130, else h.
        var (g0, carry) = self.h0.addingReportingOverflow(5)
        var g1: UInt64
        (g1, carry) = self.h1.addingReportingOverflow(carry ? 1 : 0)
        let g2 = self.h2 &+ (carry ? 1 : 0)
        let useG = 0 &- (g2 >> 2)  // all ones when g >= 2^130
        g0 = (g0 & useG) | (self.h0 & ~useG)
        g1 = (g1 & useG) | (self.h1 & ~useG)
        // tag = (h + s) mod 2^128
        let (t0, c0) = g0.addingReportingOverflow(self.pad0)
        let t1 = g1 &+ self.pad1 &+ (c0 ? 1 : 0)
        var tag = [UInt8](repeating: 0, count: 16)
        tag.withUnsafeMutableBytes { out in
            out.storeBytes(of: t0.littleEndian, toByteOffset: 0, as: UInt64.self)
            out.storeBytes(of: t1.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
        return tag
    }

    /// `h = (h + m + hibit·2^128) · r mod p`, partially reduced (h2 stays below 8).
    @inline(__always)
    private mutating func block(_ m0: UInt64, _ m1: UInt64, hibit: UInt64) {
        let (h0, c0) = self.h0.addingReportingOverflow(m0)
        let (h1Sum, c1) = self.h1.addingReportingOverflow(m1)
        let (h1, c2) = h1Sum.addingReportingOverflow(c0 ? 1 : 0)
        let h2 = self.h2 &+ hibit &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)

        // h·r with r1·2^128 folded into s1 (see the type's documentation). Every product fits in 128 bits:
        // h0, h1 < 2^64, r0, r1 < 2^60, s1 < 2^61 and h2 < 8.
        let d0 = UInt128(h0) * UInt128(self.r0) + UInt128(h1) * UInt128(self.s1)
        let d1 = UInt128(h0) * UInt128(self.r1) + UInt128(h1) * UInt128(self.r0) + UInt128(h2) * UInt128(self.s1)
        let d2 = h2 &* self.r0

        let t1 = d1 + (d0 >> 64)
        let t2 = d2 &+ UInt64(truncatingIfNeeded: t1 >> 64)
        var n0 = UInt64(truncatingIfNeeded: d0)
        var n1 = UInt64(truncatingIfNeeded: t1)
        // Bits at 2^130 and above come back multiplied by 5.
        let fold = (t2 & ~3) &+ (t2 >> 2)
        var n2 = t2 & 3
        var carry: Bool
        (n0, carry) = n0.addingReportingOverflow(fold)
        (n1, carry) = n1.addingReportingOverflow(carry ? 1 : 0)
        n2 &+= carry ? 1 : 0
        self.h0 = n0
        self.h1 = n1
        self.h2 = n2
    }
}

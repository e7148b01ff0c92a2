import Crypto
import NIOCore
import _CryptoExtras

/// Random bytes for packet padding (RFC 4253 §6: "random padding").
///
/// The system generator costs a system call per 8 bytes, which would be a noticeable share of the work of sealing a
/// small packet. Instead the pool draws a 256-bit key from the system generator once and expands it with ChaCha20 a
/// kilobyte at a time (the construction of arc4random), so that sealing a packet costs no system call.
struct PaddingRandomPool {
    private static let poolSize = 1024
    private static let blocksPerRefill = UInt32(PaddingRandomPool.poolSize / 64)

    private var key = SymmetricKey(size: .bits256)
    private var nonce = Insecure.ChaCha20CTR.Nonce()
    private var counter: UInt32 = 0
    private var pool = [UInt8](repeating: 0, count: PaddingRandomPool.poolSize)
    private var offset = PaddingRandomPool.poolSize

    /// Appends `count` random bytes to `output`.
    mutating func write(count: Int, into output: inout ByteBuffer) {
        var remaining = count
        while remaining > 0 {
            if self.offset == Self.poolSize { self.refill() }
            let take = min(remaining, Self.poolSize - self.offset)
            let start = self.offset
            _ = self.pool.withUnsafeBytes {
                output.writeBytes(UnsafeRawBufferPointer(rebasing: $0[start..<(start + take)]))
            }
            self.offset += take
            remaining -= take
        }
    }

    private mutating func refill() {
        if self.counter > UInt32.max - Self.blocksPerRefill {
            self.key = SymmetricKey(size: .bits256)
            self.nonce = Insecure.ChaCha20CTR.Nonce()
            self.counter = 0
        }
        // The key and nonce are valid by construction, so encryption cannot fail.
        let stream = try! Insecure.ChaCha20CTR.encrypt(
            [UInt8](repeating: 0, count: Self.poolSize),
            using: self.key,
            counter: Insecure.ChaCha20CTR.Counter(offset: self.counter),
            nonce: self.nonce
        )
        self.counter += Self.blocksPerRefill
        self.pool.withUnsafeMutableBytes { pool in stream.withUnsafeBytes { pool.copyMemory(from: $0) } }
        self.offset = 0
    }
}

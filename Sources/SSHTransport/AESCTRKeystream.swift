import Crypto
import SSHProtocol
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The keystream of SSH's aes128-ctr, aes192-ctr and aes256-ctr (RFC 4344 §4).
///
/// The counter X is a 128-bit big-endian integer that starts at the IV and is incremented (mod 2^128) once per
/// 16-byte block; the keystream runs on across packets for as long as the keys are in use. Every call here consumes
/// whole blocks, so the counter of each call is the IV plus the number of blocks used before it.
struct AESCTRKeystream {
    /// The AES block size in bytes.
    static let blockSize = 16

    private let key: SymmetricKey
    private var counterHigh: UInt64
    private var counterLow: UInt64

    /// Creates the keystream.
    ///
    /// - Throws: `SSHError(.keyExchangeFailed)` for a key that is not 16, 24 or 32 bytes or an IV that is not 16.
    init(key: [UInt8], iv: [UInt8]) throws {
        guard [16, 24, 32].contains(key.count) else {
            throw SSHError(.keyExchangeFailed, "AES-CTR key is \(key.count) bytes")
        }
        guard iv.count == Self.blockSize else {
            throw SSHError(.keyExchangeFailed, "AES-CTR IV is \(iv.count) bytes, expected 16")
        }
        self.key = SymmetricKey(data: key)
        (self.counterHigh, self.counterLow) = iv.withUnsafeBytes {
            (
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }

    /// XORs the next `source.count` bytes of keystream into `source` and stores the result in `destination`
    /// (which may be the same memory). `source.count` must be a multiple of 16.
    mutating func apply(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer) throws {
        precondition(source.count % Self.blockSize == 0 && destination.count >= source.count)
        guard source.count > 0 else { return }
        let counter = (self.counterHigh.bigEndian, self.counterLow.bigEndian)
        let nonce = try withUnsafeBytes(of: counter) { try AES._CTR.Nonce(nonceBytes: $0) }
        let result = try AES._CTR.encrypt(source, using: self.key, nonce: nonce)
        result.withUnsafeBytes { destination.copyMemory(from: $0) }
        self.advance(blocks: source.count / Self.blockSize)
    }

    /// Encrypts or decrypts `bytes` in place.
    mutating func apply(inPlace bytes: UnsafeMutableRawBufferPointer) throws {
        try self.apply(UnsafeRawBufferPointer(bytes), to: bytes)
    }

    private mutating func advance(blocks: Int) {
        let (low, overflow) = self.counterLow.addingReportingOverflow(UInt64(blocks))
        self.counterLow = low
        if overflow { self.counterHigh &+= 1 }
    }
}

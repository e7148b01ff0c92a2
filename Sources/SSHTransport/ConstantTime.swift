/// Compares two byte regions in time that depends only on their lengths, never on their contents.
///
/// Used to check authentication tags (RFC 4253 §6.4 and OpenSSH PROTOCOL.chacha20poly1305 require the tag to be
/// verified before anything is decrypted or returned; a short-circuiting comparison would leak how many leading
/// bytes of a forged tag were right).
func constantTimeEquals(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in 0..<lhs.count {
        difference |= lhs[index] ^ rhs[index]
    }
    return difference == 0
}

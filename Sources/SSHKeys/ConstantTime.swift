/// Comparisons whose running time does not depend on where secret inputs differ.
enum ConstantTime {
    /// Whether two byte sequences are equal, examining every byte when the lengths match.
    static func equals<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }

    /// Whether two 32-bit words are equal, without an early exit.
    static func equals(_ a: UInt32, _ b: UInt32) -> Bool {
        var difference = a ^ b
        difference |= difference >> 16
        difference |= difference >> 8
        difference |= difference >> 4
        difference |= difference >> 2
        difference |= difference >> 1
        return difference & 1 == 0
    }
}

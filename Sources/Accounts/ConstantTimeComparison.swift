/// Comparison whose running time depends only on the lengths of its inputs, never on where they differ.
enum ConstantTimeComparison {
    /// Whether `a` and `b` hold the same bytes. Lengths are not secret (every hash of one scheme has the same
    /// length), so unequal lengths return early.
    static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }
}

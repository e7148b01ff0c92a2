/// A storage backend broke the contract a ``StorageConformance/Check`` verifies.
public struct ConformanceFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name of the check that failed.
    public var check: String
    /// What was expected and what happened instead.
    public var message: String
    /// Where in the check the expectation is written (`file:line`).
    public var location: String

    /// Creates a failure.
    ///
    /// - Parameters:
    ///   - check: The name of the failing check.
    ///   - message: What was expected and what happened.
    ///   - location: Where the expectation is written.
    public init(check: String = "", message: String, location: String = "") {
        self.check = check
        self.message = message
        self.location = location
    }

    public var description: String {
        let place = self.location.isEmpty ? "" : " (\(self.location))"
        return "conformance check '\(self.check)' failed: \(self.message)\(place)"
    }
}

/// Thrown inside a check when the backend lacks the capability it is about.
struct SkipCheck: Error {
    let reason: String
}

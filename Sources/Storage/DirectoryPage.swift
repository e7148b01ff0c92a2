import FerryCore

/// Where a directory listing stopped; pass it back to ``Storage/list(_:pageSize:after:)`` for the next page.
///
/// Callers treat it as opaque. Backends define what it holds (a last name, a marker, a cursor).
public struct ListingContinuation: Sendable, Hashable {
    /// The backend-defined token.
    public let token: String

    /// Creates a continuation; only backends do this.
    ///
    /// - Parameter token: The backend-defined token.
    public init(token: String) {
        self.token = token
    }
}

/// One page of a directory listing.
public struct DirectoryPage: Sendable, Hashable {
    /// The entries of this page.
    public var entries: [FileInfo]
    /// The token for the next page, or `nil` if the listing is complete.
    public var continuation: ListingContinuation?

    /// Creates a page.
    ///
    /// - Parameters:
    ///   - entries: The entries of this page.
    ///   - continuation: The token for the next page, or `nil` at the end.
    public init(entries: [FileInfo], continuation: ListingContinuation?) {
        self.entries = entries
        self.continuation = continuation
    }
}

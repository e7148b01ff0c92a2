/// Where webhooks go: a URL, an optional signing secret, a timeout and extra headers.
///
/// Its description leaves the secret out, so an endpoint can be logged.
public struct WebhookEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// The `http` or `https` URL the events are posted to.
    public var url: String
    /// The shared secret that signs each body (`X-Ferry-Signature`), or nil to send unsigned.
    public var secret: [UInt8]?
    /// How long one delivery may take, connection included, in seconds.
    public var timeout: Double
    /// Headers added to every request (after Ferry's own, which they cannot replace).
    public var headers: [(name: String, value: String)]

    /// Creates an endpoint.
    ///
    /// - Parameters:
    ///   - url: The URL to post to.
    ///   - secret: The signing secret, or nil.
    ///   - timeout: Seconds one delivery may take.
    ///   - headers: Extra headers.
    public init(
        url: String,
        secret: [UInt8]? = nil,
        timeout: Double = 10,
        headers: [(name: String, value: String)] = []
    ) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.headers = headers
    }

    /// The URL and whether the bodies are signed; never the secret (nor a password in the URL).
    public var description: String {
        "\(self.redactedURL) (\(self.secret == nil ? "unsigned" : "signed"))"
    }

    /// The URL with any `user:password@` part replaced by `***@`, for logs and errors.
    public var redactedURL: String {
        guard let scheme = self.url.range(of: "://") else { return self.url }
        let rest = self.url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return self.url }
        return String(self.url[..<scheme.upperBound]) + "***" + String(rest[at...])
    }

    public static func == (lhs: WebhookEndpoint, rhs: WebhookEndpoint) -> Bool {
        lhs.url == rhs.url && lhs.secret == rhs.secret && lhs.timeout == rhs.timeout
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

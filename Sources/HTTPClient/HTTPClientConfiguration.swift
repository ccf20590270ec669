// Every limit of the HTTP client, each a named setting in the unit its name says, plus the TLS trust
// settings and the caller's address filter. Defaults suit webhook delivery.
import TLS

/// Decides, from a resolved address's bytes (4 for IPv4, 16 for IPv6), whether the client may
/// connect to it. Called on the loop thread before every connect; must be fast and pure.
public typealias AddressFilter = @Sendable (_ address: [UInt8]) -> Bool

/// Settings of one `HTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    /// From the socket's connect to a usable connection (TCP connect plus, for https, the TLS
    /// handshake), in nanoseconds. Over it: `ClientError.Kind.connectTimeout`.
    public var connectTimeoutNanos: UInt64
    /// The whole exchange, from `execute` (queueing, name resolution and connecting included) to the
    /// last body byte, in nanoseconds. Over it: `ClientError.Kind.requestTimeout`, connection closed.
    public var requestTimeoutNanos: UInt64
    /// How long a pooled keep-alive connection may stay idle before the client closes it, in nanoseconds.
    public var idleTimeoutNanos: UInt64
    /// Open (or opening) connections per origin (scheme + host + port), at most.
    public var maxConnectionsPerOrigin: Int
    /// Requests per origin waiting for a connection once every connection is busy, at most. One more:
    /// `ClientError.Kind.queueFull` at once.
    public var maxQueuedRequestsPerOrigin: Int
    /// Largest response body read, in bytes (decoded). Larger: `ClientError.Kind.bodyTooLarge`.
    public var maxResponseBodyBytes: Int
    /// Largest response head (status line and fields), in bytes.
    public var maxResponseHeadBytes: Int
    /// Trust anchors (a CA file or the system store) and the protocol floor for https.
    public var tls: TLSConfiguration
    /// Checked against every resolved address before connecting; nil allows every address.
    public var addressFilter: AddressFilter?

    /// - Parameters:
    ///   - connectTimeoutNanos: connect + TLS handshake budget (default 5 s).
    ///   - requestTimeoutNanos: whole-exchange budget (default 15 s).
    ///   - idleTimeoutNanos: keep-alive idle limit (default 30 s).
    ///   - maxConnectionsPerOrigin: connection cap per origin (default 4).
    ///   - maxQueuedRequestsPerOrigin: waiting-request cap per origin (default 1024).
    ///   - maxResponseBodyBytes: body limit in bytes (default 64 KiB).
    ///   - maxResponseHeadBytes: head limit in bytes (default 16 KiB).
    ///   - tls: TLS settings (default: system store, TLS 1.2 floor).
    ///   - addressFilter: the address check, or nil for none.
    public init(connectTimeoutNanos: UInt64 = 5_000_000_000, requestTimeoutNanos: UInt64 = 15_000_000_000,
                idleTimeoutNanos: UInt64 = 30_000_000_000, maxConnectionsPerOrigin: Int = 4,
                maxQueuedRequestsPerOrigin: Int = 1024, maxResponseBodyBytes: Int = 64 * 1024,
                maxResponseHeadBytes: Int = 16 * 1024, tls: TLSConfiguration = TLSConfiguration(),
                addressFilter: AddressFilter? = nil) {
        self.connectTimeoutNanos = connectTimeoutNanos
        self.requestTimeoutNanos = requestTimeoutNanos
        self.idleTimeoutNanos = idleTimeoutNanos
        self.maxConnectionsPerOrigin = max(1, maxConnectionsPerOrigin)
        self.maxQueuedRequestsPerOrigin = max(0, maxQueuedRequestsPerOrigin)
        self.maxResponseBodyBytes = maxResponseBodyBytes
        self.maxResponseHeadBytes = maxResponseHeadBytes
        self.tls = tls
        self.addressFilter = addressFilter
    }
}

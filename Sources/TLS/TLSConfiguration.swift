// Settings of a client TLS context: the protocol floor, the trust anchors and the chain depth.
// Defaults are the issue-13 policy: TLS 1.2 minimum, the system trust store, peer verification always.

/// How a `TLSContext` verifies servers.
public struct TLSConfiguration: Sendable, Equatable {
    /// The lowest protocol version offered and accepted.
    public enum Version: Sendable, Equatable {
        case tls12
        case tls13
    }

    /// The lowest protocol version (never below TLS 1.2).
    public var minimumVersion: Version
    /// A PEM file of trusted CA certificates; nil means the system store
    /// (`SSL_CTX_set_default_verify_paths`: /etc/ssl/certs, or SSL_CERT_FILE/SSL_CERT_DIR).
    public var caFile: String?
    /// The longest chain accepted, in intermediate certificates between the leaf and the trust anchor.
    public var maxChainDepthCertificates: Int32

    /// - Parameters:
    ///   - minimumVersion: the floor; `.tls12` by default.
    ///   - caFile: trusted CAs in PEM, or nil for the system store.
    ///   - maxChainDepthCertificates: intermediates allowed (default 8).
    public init(minimumVersion: Version = .tls12, caFile: String? = nil, maxChainDepthCertificates: Int32 = 8) {
        self.minimumVersion = minimumVersion
        self.caFile = caFile
        self.maxChainDepthCertificates = maxChainDepthCertificates
    }
}

// A client SSL_CTX: built once from a `TLSConfiguration`, then shared by every session (across loops).
// Always SSL_VERIFY_PEER; TLS 1.2 minimum; renegotiation off; partial, moving-buffer writes for
// non-blocking sockets. The CTX is freed when the last reference goes (sessions keep one).

/// A configured client TLS context.
///
/// `@unchecked Sendable`: the SSL_CTX is never changed after `init`, and OpenSSL allows a configured
/// SSL_CTX to be used from many threads at once (SSL_new takes its own reference).
public final class TLSContext: @unchecked Sendable {
    /// The settings this context was built from.
    public let configuration: TLSConfiguration
    let pointer: OpaquePointer

    /// Builds the context and loads the trust anchors.
    /// - Parameter configuration: floor, CA file or system store, chain depth.
    /// - Throws: `TLSError` of kind `.configuration` when the CA file or the system store cannot be
    ///   loaded, or OpenSSL refuses a setting.
    public init(configuration: TLSConfiguration = TLSConfiguration()) throws(TLSError) {
        self.configuration = configuration
        self.pointer = try OpenSSL.makeClientContext(minimumVersion: configuration.minimumVersion,
                                                     verifyDepth: configuration.maxChainDepthCertificates,
                                                     caFile: configuration.caFile)
    }

    deinit { OpenSSL.freeContext(pointer) }
}

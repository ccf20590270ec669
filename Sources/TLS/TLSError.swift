// The TLS target's one error type: a struct over a private code (new kinds never break callers),
// carrying OpenSSL's own reason strings and, for chain and name failures, the X509 verify result.
// Text from here is for logs only; never send it to a client.

/// A TLS setup, handshake or record-layer failure.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    /// What failed; compare with the static members (`error.kind == .hostnameMismatch`).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable {
            case configuration, handshake, certificateVerify, hostnameMismatch, io
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// Building the context or the session failed (bad CA file, no trust store, bad name).
        public static let configuration = Kind(.configuration)
        /// The handshake failed for a reason other than the chain or the name (protocol version,
        /// no shared cipher, an alert from the peer, the peer closing).
        public static let handshake = Kind(.handshake)
        /// The peer's chain did not verify against the trust store or CA file.
        public static let certificateVerify = Kind(.certificateVerify)
        /// The chain verified but names another host (X509_V_ERR_HOSTNAME/IP_ADDRESS_MISMATCH).
        public static let hostnameMismatch = Kind(.hostnameMismatch)
        /// Reading, writing or shutting down an established session failed.
        public static let io = Kind(.io)

        public var description: String {
            switch code {
            case .configuration: "configuration"
            case .handshake: "handshake failed"
            case .certificateVerify: "certificate verify failed"
            case .hostnameMismatch: "hostname mismatch"
            case .io: "TLS I/O failed"
            }
        }
    }

    /// What failed.
    public let kind: Kind
    /// OpenSSL's reason strings, "; "-joined (e.g. "certificate verify failed"), or errno text.
    public let detail: String
    /// `SSL_get_verify_result` when the chain or name check failed (X509_V_ERR_*), else 0.
    public let verifyResult: Int32
    /// `X509_verify_cert_error_string` of `verifyResult` (e.g. "unable to get local issuer
    /// certificate", "hostname mismatch"), else "".
    public let verifyText: String

    init(_ kind: Kind, detail: String, verifyResult: Int32, verifyText: String) {
        self.kind = kind
        self.detail = detail
        self.verifyResult = verifyResult
        self.verifyText = verifyText
    }

    /// "certificate verify failed: unable to get local issuer certificate (OpenSSL: …)".
    public var description: String {
        let head = verifyText.isEmpty ? "\(kind)" : "\(kind): \(verifyText)"
        return detail.isEmpty ? head : "\(head) (OpenSSL: \(detail))"
    }
}

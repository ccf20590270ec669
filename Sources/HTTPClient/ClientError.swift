// The HTTP client's one error type: a struct over a private code (new kinds never break callers),
// with the detail of the layer that failed (errno, TLSError, HTTPParseError). Text is for logs.
import HTTP1
import TLS

/// Why an exchange failed. Compare `error.kind` with the static members of ``Kind``.
public struct ClientError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable {
            case invalidRequest, dns, refusedAddress, connectFailed, connectTimeout, tls
            case requestTimeout, malformedResponse, bodyTooLarge, connectionClosedEarly, queueFull
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// The request could not be encoded (a bad header, target or host); nothing was sent.
        public static let invalidRequest = Kind(.invalidRequest)
        /// The host name did not resolve.
        public static let dns = Kind(.dns)
        /// The address filter refused every resolved address; nothing was sent.
        public static let refusedAddress = Kind(.refusedAddress)
        /// The TCP connect failed (see ``ClientError/errno``).
        public static let connectFailed = Kind(.connectFailed)
        /// Connect (plus TLS handshake) took longer than the connect timeout.
        public static let connectTimeout = Kind(.connectTimeout)
        /// The TLS handshake or a TLS record failed (see ``ClientError/tlsError``).
        public static let tls = Kind(.tls)
        /// The whole exchange took longer than the request timeout.
        public static let requestTimeout = Kind(.requestTimeout)
        /// The response broke HTTP/1.1 (see ``ClientError/parseError``).
        public static let malformedResponse = Kind(.malformedResponse)
        /// The response body was larger than the configured limit.
        public static let bodyTooLarge = Kind(.bodyTooLarge)
        /// The connection closed or failed before the response was complete.
        public static let connectionClosedEarly = Kind(.connectionClosedEarly)
        /// Too many requests were already waiting for a connection to this origin.
        public static let queueFull = Kind(.queueFull)

        public var description: String {
            switch code {
            case .invalidRequest: "invalid request"
            case .dns: "name resolution failed"
            case .refusedAddress: "address refused"
            case .connectFailed: "connect failed"
            case .connectTimeout: "connect timeout"
            case .tls: "TLS failed"
            case .requestTimeout: "request timeout"
            case .malformedResponse: "malformed response"
            case .bodyTooLarge: "response body too large"
            case .connectionClosedEarly: "connection closed early"
            case .queueFull: "request queue full"
            }
        }
    }

    /// What failed.
    public let kind: Kind
    /// Which address, call or limit (e.g. "127.0.0.1 refused by the address filter").
    public let detail: String
    /// The errno of a failed connect, read or write; else 0.
    public let errno: Int32
    /// The TLS failure (verify result, host name mismatch), for ``Kind/tls``.
    public let tlsError: TLSError?
    /// The parser's error, for ``Kind/malformedResponse``.
    public let parseError: HTTPParseError?

    init(_ kind: Kind, _ detail: String = "", errno: Int32 = 0, tlsError: TLSError? = nil,
         parseError: HTTPParseError? = nil) {
        self.kind = kind
        self.detail = detail
        self.errno = errno
        self.tlsError = tlsError
        self.parseError = parseError
    }

    /// "connect failed: connect 127.0.0.1:9 (errno 111)", "TLS failed: hostname mismatch …".
    public var description: String {
        var text = "\(kind)"
        if !detail.isEmpty { text += ": \(detail)" }
        if errno != 0 { text += " (errno \(errno))" }
        if let tlsError { text += ": \(tlsError)" }
        if let parseError { text += ": \(parseError)" }
        return text
    }
}

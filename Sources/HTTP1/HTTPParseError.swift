/// Why a request (or, for ``HTTPResponseParser``, a response) was refused. Every reason closes the connection: after a framing or syntax error the
/// byte stream can no longer be trusted (RFC 9112 §11.2, request smuggling).
///
/// `title` is fixed text and never echoes input, so it is safe to send to the client.
/// Compare against the static members, e.g. `error == .badChunk`.
public struct HTTPParseError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: UInt8, Sendable {
        case badRequestLine, invalidRequestTarget, uriTooLong, versionNotSupported
        case headersTooLarge, tooManyHeaders, invalidHeaderName, whitespaceBeforeColon, obsFold
        case invalidHeaderValue, bareCR, bareLF
        case missingHost, duplicateHost, invalidHost
        case conflictingFraming, badContentLength, duplicateContentLength
        case badTransferEncoding, unsupportedTransferEncoding, transferEncodingInHTTP10
        case badChunk, trailersTooLarge, bodyTooLarge, expectationFailed
        case badStatusLine, statusLineTooLong, unexpectedUpgrade, truncatedMessage
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// Request line not `method SP request-target SP HTTP-version` (RFC 9112 §3). 400.
    public static let badRequestLine = HTTPParseError(.badRequestLine)
    /// Request-target not origin-form (or `*` for OPTIONS), or contains `#` (RFC 9112 §3.2). 400.
    public static let invalidRequestTarget = HTTPParseError(.invalidRequestTarget)
    /// Request line longer than ``HTTPLimits/maxRequestLineBytes``. 414.
    public static let uriTooLong = HTTPParseError(.uriTooLong)
    /// HTTP version other than 1.0 or 1.1 (RFC 9110 §15.6.6). 505.
    public static let versionNotSupported = HTTPParseError(.versionNotSupported)
    /// Head longer than ``HTTPLimits/maxHeaderBytes``. 431.
    public static let headersTooLarge = HTTPParseError(.headersTooLarge)
    /// More field lines than ``HTTPLimits/maxHeaderCount``. 431.
    public static let tooManyHeaders = HTTPParseError(.tooManyHeaders)
    /// Field name empty, not a token, or no colon (RFC 9112 §5). 400.
    public static let invalidHeaderName = HTTPParseError(.invalidHeaderName)
    /// Whitespace between field name and colon (RFC 9112 §5.1). 400.
    public static let whitespaceBeforeColon = HTTPParseError(.whitespaceBeforeColon)
    /// Line folding: a field line starting with SP or HTAB (RFC 9112 §5.2). 400.
    public static let obsFold = HTTPParseError(.obsFold)
    /// Field value with NUL, DEL or another control character (RFC 9110 §5.5). 400.
    public static let invalidHeaderValue = HTTPParseError(.invalidHeaderValue)
    /// CR not followed by LF (RFC 9112 §2.2). 400.
    public static let bareCR = HTTPParseError(.bareCR)
    /// LF not preceded by CR; this parser requires CRLF (RFC 9112 §2.2). 400.
    public static let bareLF = HTTPParseError(.bareLF)
    /// HTTP/1.1 request without a Host field (RFC 9112 §3.2). 400.
    public static let missingHost = HTTPParseError(.missingHost)
    /// More than one Host field (RFC 9112 §3.2). 400.
    public static let duplicateHost = HTTPParseError(.duplicateHost)
    /// Host value that is not `uri-host [ ":" port ]` characters (RFC 9112 §3.2). 400.
    public static let invalidHost = HTTPParseError(.invalidHost)
    /// Both Content-Length and Transfer-Encoding (RFC 9112 §6.1, §6.3). 400.
    public static let conflictingFraming = HTTPParseError(.conflictingFraming)
    /// Content-Length not `1*DIGIT` or too big for `Int` (RFC 9110 §8.6). 400.
    public static let badContentLength = HTTPParseError(.badContentLength)
    /// Several Content-Length values that differ (RFC 9110 §8.6, RFC 9112 §6.3). 400.
    public static let duplicateContentLength = HTTPParseError(.duplicateContentLength)
    /// Transfer-Encoding malformed, empty, `chunked` not last or applied twice (RFC 9112 §6.1, §6.3). 400.
    public static let badTransferEncoding = HTTPParseError(.badTransferEncoding)
    /// A transfer coding other than `chunked` before the final `chunked` (RFC 9112 §6.1). 501.
    public static let unsupportedTransferEncoding = HTTPParseError(.unsupportedTransferEncoding)
    /// Transfer-Encoding in an HTTP/1.0 request (RFC 9112 §6.1). 400.
    public static let transferEncodingInHTTP10 = HTTPParseError(.transferEncodingInHTTP10)
    /// Malformed chunked framing: size, extension, CRLF after data, trailer (RFC 9112 §7.1). 400.
    public static let badChunk = HTTPParseError(.badChunk)
    /// Trailer section larger than ``HTTPLimits/maxTrailerBytes``. 431.
    public static let trailersTooLarge = HTTPParseError(.trailersTooLarge)
    /// Body larger than ``HTTPLimits/maxBodyBytes``. 413.
    public static let bodyTooLarge = HTTPParseError(.bodyTooLarge)
    /// An Expect value other than `100-continue` (RFC 9110 §10.1.1). 417.
    public static let expectationFailed = HTTPParseError(.expectationFailed)

    // Response parsing (HTTPResponseParser): the peer is the origin server, so these map to 502.

    /// Status line not `HTTP-version SP 3DIGIT SP reason-phrase`, or a status outside 100...599
    /// (RFC 9112 §4, RFC 9110 §15). 502.
    public static let badStatusLine = HTTPParseError(.badStatusLine)
    /// Status line longer than ``HTTPLimits/maxRequestLineBytes``. 502.
    public static let statusLineTooLong = HTTPParseError(.statusLineTooLong)
    /// `101 Switching Protocols`, which a client that never asks to upgrade cannot follow (RFC 9110 §15.2.2). 502.
    public static let unexpectedUpgrade = HTTPParseError(.unexpectedUpgrade)
    /// The connection ended inside a head or a Content-Length or chunked body (RFC 9112 §8). 502.
    public static let truncatedMessage = HTTPParseError(.truncatedMessage)

    /// The HTTP status code to answer with.
    public var status: Int {
        switch reason {
        case .uriTooLong: 414
        case .versionNotSupported: 505
        case .headersTooLarge, .tooManyHeaders, .trailersTooLarge: 431
        case .bodyTooLarge: 413
        case .expectationFailed: 417
        case .unsupportedTransferEncoding: 501
        case .badStatusLine, .statusLineTooLong, .unexpectedUpgrade, .truncatedMessage: 502
        default: 400
        }
    }

    /// Short fixed text for the client and the log; never contains request bytes.
    public var title: String {
        switch reason {
        case .badRequestLine: "Malformed request line"
        case .invalidRequestTarget: "Unsupported request target"
        case .uriTooLong: "Request line too long"
        case .versionNotSupported: "HTTP version not supported"
        case .headersTooLarge: "Request header section too large"
        case .tooManyHeaders: "Too many header fields"
        case .invalidHeaderName: "Invalid header field name"
        case .whitespaceBeforeColon: "Whitespace before colon in header field"
        case .obsFold: "Obsolete line folding"
        case .invalidHeaderValue: "Invalid header field value"
        case .bareCR: "Bare CR in request"
        case .bareLF: "Line not terminated by CRLF"
        case .missingHost: "Missing Host header"
        case .duplicateHost: "Duplicate Host header"
        case .invalidHost: "Invalid Host header"
        case .conflictingFraming: "Both Content-Length and Transfer-Encoding"
        case .badContentLength: "Invalid Content-Length"
        case .duplicateContentLength: "Conflicting Content-Length values"
        case .badTransferEncoding: "Invalid Transfer-Encoding"
        case .unsupportedTransferEncoding: "Transfer coding not implemented"
        case .transferEncodingInHTTP10: "Transfer-Encoding in HTTP/1.0 request"
        case .badChunk: "Malformed chunked body"
        case .trailersTooLarge: "Trailer section too large"
        case .bodyTooLarge: "Request body too large"
        case .expectationFailed: "Expectation not supported"
        case .badStatusLine: "Malformed status line"
        case .statusLineTooLong: "Status line too long"
        case .unexpectedUpgrade: "Unexpected 101 Switching Protocols"
        case .truncatedMessage: "Connection closed inside a message"
        }
    }

    /// Always `true`: the connection must be closed after answering (RFC 9112 §9.6).
    public var closesConnection: Bool { true }

    /// `"<status> <title>"`, for logs.
    public var description: String { "\(status) \(title)" }
}

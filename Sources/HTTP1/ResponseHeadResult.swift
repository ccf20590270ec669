/// What ``HTTPResponseParser/parseHead(_:requestMethod:)`` found.
public enum ResponseHeadResult: Equatable, Sendable {
    /// The head is not complete yet: call again with the same start and more bytes.
    case needMore
    /// A 1xx interim response (e.g. `100 Continue`, `103 Early Hints`; RFC 9110 §15.2). It has no
    /// body: advance by `consumed` and parse the next head, which answers the same request.
    case interim(HTTPResponseHead, consumed: Int)
    /// The final response head. `consumed` is its length in bytes up to and including the final
    /// CRLF CRLF; the body (if any) starts right after it.
    case head(HTTPResponseHead, consumed: Int)
}

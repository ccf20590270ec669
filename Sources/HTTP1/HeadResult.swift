/// What ``HTTPRequestParser/parseHead(_:)`` found.
public enum HeadResult: Equatable, Sendable {
    /// The head is not complete yet: call again with the same start and more bytes.
    case needMore
    /// A complete, validated head. `consumed` is its length in bytes, from the start of the buffer
    /// passed in up to and including the final CRLF CRLF; the body (if any) starts right after it.
    case head(HTTPRequestHead, consumed: Int)
}

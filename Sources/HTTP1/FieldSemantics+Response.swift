extension FieldSemantics {
    /// Judges a whole response head: its body length (RFC 9112 §6.3) and persistence (§9.3).
    ///
    /// - Item 1: a response to HEAD, and every 1xx, 204 and 304, ends at its head, whatever
    ///   Content-Length or Transfer-Encoding say.
    /// - Item 2 (a 2xx answer to CONNECT) cannot happen: this client never sends CONNECT.
    /// - Items 3 to 6: as for requests (``bodyFraming(isHTTP11:limits:)``): chunked as the one, final
    ///   coding, or one Content-Length value no larger than ``HTTPLimits/maxBodyBytes``.
    /// - Item 8: with neither field the body runs until the close, so the connection cannot persist.
    ///
    /// Stricter than §6.3 item 3 requires of a client: Transfer-Encoding with Content-Length is refused
    /// in every response, even one without a body, rather than letting chunked win, because a message
    /// framed both ways is how a response is smuggled onto a shared connection (RFC 9112 §11.2).
    /// - Parameters:
    ///   - version: the status line's version.
    ///   - status: the status code (100...599).
    ///   - requestMethod: the method of the request this answers.
    ///   - limits: the parser's limits.
    /// - Throws: the errors of ``bodyFraming(isHTTP11:limits:)``.
    func finishResponse(version: HTTPVersion, status: Int, requestMethod: HTTPMethod,
                        limits: HTTPLimits) throws(HTTPParseError) -> Outcome {
        let isHTTP11 = version.minor == 1
        if transferEncodingSeen, contentLength != nil { throw .conflictingFraming }
        let framing: BodyFraming
        if requestMethod == .head || status < 200 || status == 204 || status == 304 {
            framing = .none
        } else {
            framing = try bodyFraming(isHTTP11: isHTTP11, limits: limits) ?? .untilClose
        }
        let keepAlive = framing != .untilClose && persists(isHTTP11: isHTTP11)
        return Outcome(framing: framing, keepAlive: keepAlive, expectsContinue: false)
    }
}

/// Appends HTTP/1.1 response heads (and bodies) to a byte buffer (RFC 9112 §4, §6; RFC 9110 §6, §8.6).
///
/// No intermediate Strings: every piece is appended as UTF-8 bytes. Caller-supplied header names must
/// be tokens and values must be field-value bytes (no CR, LF, NUL or other controls except HTAB), so
/// a value taken from a request cannot inject headers or split the response; a bad header makes the
/// call throw and leaves `out` unchanged. The encoder does not check for duplicates: do not pass
/// `Content-Length`, `Connection` or `Date` in `headers`, use the dedicated parameters.
public enum HTTPResponseEncoder {
    /// What to say in the `Connection` header.
    public enum ConnectionHeader: Sendable, Equatable {
        /// No Connection header (HTTP/1.1 default: persistent).
        case omit
        /// `Connection: close`: the server closes after this response (RFC 9112 §9.6).
        case close
        /// `Connection: keep-alive`: for HTTP/1.0 clients that asked to keep the connection (RFC 9112 §9.3).
        case keepAlive
    }

    /// `HTTP/1.1 100 Continue` + CRLF CRLF: the interim answer to `Expect: 100-continue` (RFC 9110 §15.2.1).
    /// - Returns: the 25 bytes to write before reading the body.
    public static func continue100() -> [UInt8] {
        Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    }

    /// Appends a response head: status line, `Date`, `headers`, `Content-Length`, `Connection`, CRLF.
    /// - Parameters:
    ///   - out: the output buffer; bytes are appended.
    ///   - status: status code, 100...999; the reason phrase comes from a table (empty when unknown).
    ///   - headers: extra `(name, value)` fields, in order.
    ///   - contentLength: the body length to announce, or `nil` for none (1xx, 204, or a 304 without it).
    ///   - date: a pre-formatted IMF-fixdate (see ``HTTPDate``), or `nil` for no Date header.
    ///   - connection: the Connection header to send.
    /// - Throws: ``HTTPResponseError``; `out` is then left as it was.
    public static func appendHead(
        into out: inout [UInt8],
        status: Int,
        headers: [(String, String)] = [],
        contentLength: Int?,
        date: String? = nil,
        connection: ConnectionHeader = .omit
    ) throws(HTTPResponseError) {
        guard (100...999).contains(status) else { throw .invalidStatus }
        if let contentLength, contentLength < 0 { throw .invalidContentLength }
        let reason = HTTPReasonPhrase.phrase(for: status)
        // Size first, then write the whole head into one scratch buffer and append it with ONE copy:
        // a dozen small Array appends per response cost more than the rest of the encoding.
        var size = 9 + 3 + 1 + reason.utf8CodeUnitCount + 2 + 2
        if let date { size += 6 + date.utf8.count + 2 }
        for (name, value) in headers { size += name.utf8.count + 2 + value.utf8.count + 2 }
        if contentLength != nil { size += 16 + 20 + 2 }
        size += 24
        let result: HTTPResponseError? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            guard let base = buffer.baseAddress else { return .invalidStatus }
            var w = HeadWriter(base: base)
            w.put("HTTP/1.1 ")
            w.putDecimal(status)
            w.put(" ")
            w.put(reason)
            w.put("\r\n")
            if let date, !w.putField("Date", date) { return .invalidHeaderValue }
            for (name, value) in headers {
                guard w.putName(name) else { return .invalidHeaderName }
                w.put(": ")
                guard w.putValue(value) else { return .invalidHeaderValue }
                w.put("\r\n")
            }
            if let contentLength {
                w.put("Content-Length: ")
                w.putDecimal(contentLength)
                w.put("\r\n")
            }
            switch connection {
            case .omit: break
            case .close: w.put("Connection: close\r\n")
            case .keepAlive: w.put("Connection: keep-alive\r\n")
            }
            w.put("\r\n")
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: w.count))
            return nil
        }
        if let result { throw result }
    }

    /// Appends a complete response. `Content-Length` is `body.count`. The body is left out for HEAD
    /// requests (the Content-Length still says what GET would send, RFC 9110 §9.3.2) and for 1xx, 204 and
    /// 304 responses, which also get no Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 item 1).
    /// - Parameters:
    ///   - out: the output buffer; bytes are appended.
    ///   - status: status code, 100...999.
    ///   - headers: extra `(name, value)` fields, in order.
    ///   - body: the content.
    ///   - date: a pre-formatted IMF-fixdate, or `nil`.
    ///   - connection: the Connection header to send.
    ///   - isHeadRequest: `true` when answering a HEAD request: head only.
    /// - Throws: ``HTTPResponseError``; `out` is then left as it was.
    public static func appendResponse(
        into out: inout [UInt8],
        status: Int,
        headers: [(String, String)] = [],
        body: [UInt8],
        date: String? = nil,
        connection: ConnectionHeader = .omit,
        isHeadRequest: Bool = false
    ) throws(HTTPResponseError) {
        let bodiless = status < 200 || status == 204 || status == 304
        try appendHead(into: &out, status: status, headers: headers,
                       contentLength: bodiless ? nil : body.count, date: date, connection: connection)
        if !bodiless, !isHeadRequest {
            out.append(contentsOf: body)
        }
    }



}

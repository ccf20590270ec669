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
        let original = out.count
        do throws(HTTPResponseError) {
            appendLiteral("HTTP/1.1 ", to: &out)
            appendDecimal(status, to: &out)
            out.append(ByteScan.sp)
            appendLiteral(HTTPReasonPhrase.phrase(for: status), to: &out)
            appendLiteral("\r\n", to: &out)
            if let date {
                try appendField("Date", date, to: &out)
            }
            for (name, value) in headers {
                try appendField(name, value, to: &out)
            }
            if let contentLength {
                appendLiteral("Content-Length: ", to: &out)
                appendDecimal(contentLength, to: &out)
                appendLiteral("\r\n", to: &out)
            }
            switch connection {
            case .omit: break
            case .close: appendLiteral("Connection: close\r\n", to: &out)
            case .keepAlive: appendLiteral("Connection: keep-alive\r\n", to: &out)
            }
            appendLiteral("\r\n", to: &out)
        } catch {
            out.removeSubrange(original...)
            throw error
        }
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

    /// Appends `name: value` CRLF after checking both.
    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) throws(HTTPResponseError) {
        var name = name
        var value = value
        let nameOK = name.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            for byte in bytes where !ByteScan.isTchar(byte) { return false }
            out.append(contentsOf: bytes)
            return true
        }
        guard nameOK else { throw .invalidHeaderName }
        appendLiteral(": ", to: &out)
        let valueOK = value.withUTF8 { bytes in
            for byte in bytes where !ByteScan.isFieldValueByte(byte) { return false }
            out.append(contentsOf: bytes)
            return true
        }
        guard valueOK else { throw .invalidHeaderValue }
        appendLiteral("\r\n", to: &out)
    }

    /// Appends the bytes of a literal with one copy.
    @inline(__always)
    private static func appendLiteral(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// Appends the decimal digits of a non-negative `value`.
    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(truncatingIfNeeded: value) &+ UInt8(ascii: "0"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = value
            var i = digits.count
            while v > 0, i > 0 {
                i -= 1
                digits[i] = UInt8(truncatingIfNeeded: v % 10) &+ UInt8(ascii: "0")
                v /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }
}

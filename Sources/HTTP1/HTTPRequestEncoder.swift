// HTTPRequestEncoder: one HTTP/1.1 request as bytes, for the webhook client (RFC 9112 §3, §6; RFC 9110
// §7.2, §8.6). The request-side twin of HTTPResponseEncoder, on the same HeadWriter.
//
// CONTRACT
// - `METHOD SP origin-form SP HTTP/1.1 CRLF`, `Host`, the caller's fields in order, `Content-Length`
//   (when there is a body, or the method is POST/PUT/PATCH: an empty body is announced as 0), CRLF, body.
// - Validated as copied: the method is a token, the target is origin-form visible ASCII without `#`,
//   Host and values are field-value bytes, names are tokens. The caller may not pass Host,
//   Content-Length or Transfer-Encoding. A refusal throws and leaves `out` unchanged.
// - No Strings are built; no I/O.

/// Appends HTTP/1.1 requests to a byte buffer.
public enum HTTPRequestEncoder {
    private static let reserved = ["host", "content-length", "transfer-encoding"]

    /// Appends a complete request: request line, Host, `headers`, Content-Length, CRLF, body.
    /// - Parameters:
    ///   - out: the output buffer; bytes are appended.
    ///   - method: the request method.
    ///   - target: the origin-form target, path and query (`/hooks?x=1`).
    ///   - host: the Host value (`example.com`, `example.com:8443`, `[::1]:8080`).
    ///   - headers: extra `(name, value)` fields, in order.
    ///   - body: the content.
    /// - Throws: ``HTTPRequestError``; `out` is then left as it was.
    public static func appendRequest(
        into out: inout [UInt8],
        method: HTTPMethod,
        target: String,
        host: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws(HTTPRequestError) {
        let methodName = method.rawValue
        guard isOriginForm(target) else { throw .invalidTarget }
        guard !host.isEmpty, !host.utf8.contains(UInt8(ascii: " ")) else { throw .invalidHost }
        for (name, _) in headers where reserved.contains(name.lowercased()) { throw .reservedHeader }
        let announceLength = !body.isEmpty || method == .post || method == .put || method == .patch
        var size = methodName.utf8.count + 1 + target.utf8.count + 11 + 6 + host.utf8.count + 2 + 2
        for (name, value) in headers { size += name.utf8.count + 2 + value.utf8.count + 2 }
        if announceLength { size += 16 + 20 + 2 }
        let result: HTTPRequestError? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            guard let base = buffer.baseAddress else { return .invalidMethod }
            var w = HeadWriter(base: base)
            guard w.putName(methodName) else { return .invalidMethod }
            w.put(" ")
            w.putTarget(target)
            w.put(" HTTP/1.1\r\n")
            guard w.putField("Host", host) else { return .invalidHost }
            for (name, value) in headers {
                guard w.putName(name) else { return .invalidHeaderName }
                w.put(": ")
                guard w.putValue(value) else { return .invalidHeaderValue }
                w.put("\r\n")
            }
            if announceLength {
                w.put("Content-Length: ")
                w.putDecimal(body.count)
                w.put("\r\n")
            }
            w.put("\r\n")
            out.append(contentsOf: UnsafeBufferPointer(start: base, count: w.count))
            return nil
        }
        if let result { throw result }
        out.append(contentsOf: body)
    }

    /// `/` followed by visible ASCII other than `#` (RFC 9112 §3.2.1; the query is part of it).
    private static func isOriginForm(_ target: String) -> Bool {
        guard target.utf8.first == UInt8(ascii: "/") else { return false }
        return target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }
    }
}

import Testing
import HTTP1

@Suite("Response encoder")
struct ResponseEncoderTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func fullResponse() throws {
        var out: [UInt8] = []
        try HTTPResponseEncoder.appendResponse(
            into: &out, status: 200, headers: [("Content-Type", "text/plain"), ("X-Request-Id", "42")],
            body: Array("hello".utf8), date: "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(Self.text(out) == "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            + "Content-Type: text/plain\r\nX-Request-Id: 42\r\nContent-Length: 5\r\n\r\nhello")
    }

    @Test func connectionHeaders() throws {
        var close: [UInt8] = []
        try HTTPResponseEncoder.appendHead(into: &close, status: 404, contentLength: 0, connection: .close)
        #expect(Self.text(close) == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        var keep: [UInt8] = []
        try HTTPResponseEncoder.appendHead(into: &keep, status: 200, contentLength: 1234567890, connection: .keepAlive)
        #expect(Self.text(keep) == "HTTP/1.1 200 OK\r\nContent-Length: 1234567890\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func headOmitsBodyButKeepsLength() throws {
        var out: [UInt8] = []
        try HTTPResponseEncoder.appendResponse(into: &out, status: 200, body: Array("hello".utf8), isHeadRequest: true)
        #expect(Self.text(out) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    @Test func bodilessStatuses() throws {
        for status in [204, 304] {
            var out: [UInt8] = []
            try HTTPResponseEncoder.appendResponse(into: &out, status: status, body: Array("x".utf8))
            #expect(!Self.text(out).contains("Content-Length"))
            #expect(Self.text(out).hasSuffix("\r\n\r\n"))
        }
    }

    @Test func appendsAfterExistingBytes() throws {
        var out = Array("previous".utf8)
        try HTTPResponseEncoder.appendHead(into: &out, status: 503, contentLength: nil)
        #expect(Self.text(out) == "previousHTTP/1.1 503 Service Unavailable\r\n\r\n")
    }

    @Test func unknownStatusHasEmptyReason() throws {
        var out: [UInt8] = []
        try HTTPResponseEncoder.appendHead(into: &out, status: 299, contentLength: nil)
        #expect(Self.text(out) == "HTTP/1.1 299 \r\n\r\n")
    }

    @Test func invalidInputIsRefusedAndNothingIsAppended() {
        let original = Array("keep".utf8)
        func attempt(_ status: Int, _ headers: [(String, String)], length: Int? = 0) -> HTTPResponseError? {
            var out = original
            do {
                try HTTPResponseEncoder.appendHead(into: &out, status: status, headers: headers, contentLength: length)
                return nil
            } catch {
                #expect(out == original)
                return error
            }
        }
        #expect(attempt(200, [("X", "a\r\nSet-Cookie: evil=1")]) == .invalidHeaderValue)
        #expect(attempt(200, [("X", "a\nb")]) == .invalidHeaderValue)
        #expect(attempt(200, [("X", "a\rb")]) == .invalidHeaderValue)
        #expect(attempt(200, [("X", "a\u{0}b")]) == .invalidHeaderValue)
        #expect(attempt(200, [("Ok", "fine"), ("Bad Name", "v")]) == .invalidHeaderName)
        #expect(attempt(200, [("X:Y", "v")]) == .invalidHeaderName)
        #expect(attempt(200, [("", "v")]) == .invalidHeaderName)
        #expect(attempt(200, [("X\r\nY", "v")]) == .invalidHeaderName)
        #expect(attempt(99, []) == .invalidStatus)
        #expect(attempt(1000, []) == .invalidStatus)
        #expect(attempt(200, [], length: -1) == .invalidContentLength)
        // Tabs and UTF-8 (obs-text) are legal in values.
        #expect(attempt(200, [("X", "a\tb caf\u{e9}")]) == nil)
    }

    @Test func continue100() {
        #expect(Self.text(HTTPResponseEncoder.continue100()) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func encodedResponseWithDateFromFormatter() throws {
        var out: [UInt8] = []
        try HTTPResponseEncoder.appendResponse(into: &out, status: 429, headers: [("Retry-After", "1")],
                                               body: [], date: HTTPDate.imfFixdate(unixSeconds: 0), connection: .close)
        #expect(Self.text(out) == "HTTP/1.1 429 Too Many Requests\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            + "Retry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }
}

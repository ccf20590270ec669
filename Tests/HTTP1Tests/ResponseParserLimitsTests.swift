import Testing
import HTTP1

@Suite("Response parser: limits")
struct ResponseParserLimitsTests {
    static let small = HTTPLimits(maxRequestLineBytes: 32, maxHeaderBytes: 128, maxHeaderCount: 3,
                                  maxBodyBytes: 10, maxChunkLineBytes: 16, maxTrailerBytes: 20)

    /// A status line of exactly `length` bytes (CRLF excluded), with CRLF.
    static func statusLine(length: Int) -> String {
        "HTTP/1.1 200 " + String(repeating: "r", count: length - "HTTP/1.1 200 ".utf8.count) + "\r\n"
    }

    @Test func statusLineAtLimitIsAccepted() {
        let response = parseResponse(Self.statusLine(length: 32) + "Content-Length: 0\r\n\r\n", limits: Self.small)
        #expect(response?.head.status == 200)
    }

    @Test func statusLineOverLimitIsRefused() {
        #expect(responseError(Self.statusLine(length: 33) + "\r\n", limits: Self.small) == .statusLineTooLong)
    }

    @Test func statusLineOverLimitWithoutCRLFIsRefusedAtOnce() throws {
        var parser = HTTPResponseParser(limits: Self.small)
        let line = Array(("HTTP/1.1 200 " + String(repeating: "r", count: 40)).utf8)
        #expect(throws: HTTPParseError.statusLineTooLong) { try parser.parseHead(line, from: 0) }
        var waiting = HTTPResponseParser(limits: Self.small)
        let exact = Array((Self.statusLine(length: 32).dropLast(2) + "\r").utf8)
        #expect(try waiting.parseHead(exact, from: 0) == .needMore)
    }

    @Test func headOverLimitIsRefused() {
        let filler = "X-Fill: " + String(repeating: "f", count: 100) + "\r\n"
        #expect(responseError("HTTP/1.1 200 OK\r\n" + filler + "\r\n", limits: Self.small) == .headersTooLarge)
        // Without an end in sight the parser gives up as soon as the head passes the limit.
        var parser = HTTPResponseParser(limits: Self.small)
        let endless = Array(("HTTP/1.1 200 OK\r\n" + filler + "X-More: ").utf8)
        #expect(throws: HTTPParseError.headersTooLarge) { try parser.parseHead(endless, from: 0) }
    }

    @Test func fieldCountIsLimited() {
        let three = "A: 1\r\nB: 2\r\nC: 3\r\n"
        #expect(parseResponse("HTTP/1.1 204 X\r\n" + three + "\r\n", limits: Self.small)?.head.headers.count == 3)
        #expect(responseError("HTTP/1.1 204 X\r\n" + three + "D: 4\r\n\r\n", limits: Self.small) == .tooManyHeaders)
    }

    @Test func contentLengthIsLimited() {
        #expect(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", limits: Self.small)?.body.count == 10)
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n01234567890", limits: Self.small) == .bodyTooLarge)
    }

    @Test func chunkedBodyIsLimited() {
        let fits = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"
        #expect(parseResponse(fits, limits: Self.small)?.body.count == 10)
        let over = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n"
        #expect(responseError(over, limits: Self.small) == .bodyTooLarge)
        let trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + String(repeating: "t", count: 20) + "\r\n\r\n"
        #expect(responseError(trailers, limits: Self.small) == .trailersTooLarge)
        let longSize = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 20) + "\r\n"
        #expect(responseError(longSize, limits: Self.small) == .badChunk)
    }

    @Test func bodyUntilCloseIsLimited() {
        let fits = parseResponse("HTTP/1.0 200 OK\r\n\r\n0123456789", limits: Self.small, close: true)
        #expect(fits?.body.count == 10)
        #expect(responseError("HTTP/1.0 200 OK\r\n\r\n01234567890", limits: Self.small) == .bodyTooLarge)
    }

    @Test func responseWithoutBodyIsNotLimitedByItsContentLength() {
        let head = parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", method: .head, limits: Self.small)
        #expect(head?.head.framing == BodyFraming.none)
        let notModified = parseResponse("HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n", limits: Self.small)
        #expect(notModified?.head.framing == BodyFraming.none)
    }
}

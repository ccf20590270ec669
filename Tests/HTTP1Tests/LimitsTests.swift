import Testing
import HTTP1

@Suite("Limits")
struct LimitsTests {
    static let small = HTTPLimits(maxRequestLineBytes: 32, maxHeaderBytes: 128, maxHeaderCount: 3,
                                  maxBodyBytes: 10, maxChunkLineBytes: 16, maxTrailerBytes: 20)

    /// A request line of exactly `length` bytes (CRLF excluded).
    static func requestLine(length: Int) -> String {
        let fixed = "GET /".utf8.count + " HTTP/1.1".utf8.count
        return "GET /" + String(repeating: "a", count: length - fixed) + " HTTP/1.1\r\n"
    }

    @Test func requestLineAtLimitIsAccepted() {
        #expect(parseOne(Self.requestLine(length: 32) + "Host: a\r\n\r\n", limits: Self.small) != nil)
    }

    @Test func requestLineOverLimitIs414() {
        let error = parseError(Self.requestLine(length: 33) + "Host: a\r\n\r\n", limits: Self.small)
        #expect(error == .uriTooLong)
        #expect(error?.status == 414)
    }

    @Test func requestLineOverLimitWithoutCRLFIs414AtOnce() throws {
        var parser = HTTPRequestParser(limits: Self.small)
        let line = Array(("GET /" + String(repeating: "a", count: 40)).utf8)
        #expect(throws: HTTPParseError.uriTooLong) { try parser.parseHead(line, from: 0) }
        // With the default limits, 9 KiB without a CRLF fails the same way.
        var defaults = HTTPRequestParser()
        let long = Array(("GET /" + String(repeating: "b", count: 9 * 1024)).utf8)
        #expect(throws: HTTPParseError.uriTooLong) { try defaults.parseHead(long, from: 0) }
        // Right at the limit it still waits: the CRLF may be next.
        var waiting = HTTPRequestParser(limits: Self.small)
        let exact = Array((Self.requestLine(length: 32).dropLast(2) + "\r").utf8)
        #expect(try waiting.parseHead(exact, from: 0) == .needMore)
    }

    @Test func headOverLimitIs431() {
        let filler = "X-Fill: " + String(repeating: "f", count: 100) + "\r\n"
        let error = parseError("GET / HTTP/1.1\r\nHost: a\r\n" + filler + "\r\n", limits: Self.small)
        #expect(error == .headersTooLarge)
        #expect(error?.status == 431)
    }

    @Test func headOverLimitWithoutEndIs431AtOnce() throws {
        var parser = HTTPRequestParser(limits: Self.small)
        let partial = Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 120)).utf8)
        #expect(throws: HTTPParseError.headersTooLarge) { try parser.parseHead(partial, from: 0) }
    }

    @Test func headExactlyAtLimitIsAccepted() {
        let start = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let value = String(repeating: "v", count: 128 - start.utf8.count - 4)
        let text = start + value + "\r\n\r\n"
        #expect(text.utf8.count == 128)
        #expect(parseOne(text, limits: Self.small) != nil)
        #expect(parseError(start + value + "v\r\n\r\n", limits: Self.small) == .headersTooLarge)
    }

    @Test func leadingEmptyLinesCountTowardTheHeadLimit() {
        let text = String(repeating: "\r\n", count: 70) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(parseError(text, limits: Self.small) == .headersTooLarge)
    }

    @Test func tooManyHeadersIs431() {
        let three = "GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\n\r\n"
        #expect(parseOne(three, limits: Self.small)?.head.headers.count == 3)
        let four = "GET / HTTP/1.1\r\nHost: a\r\nB: 1\r\nC: 2\r\nD: 3\r\n\r\n"
        let error = parseError(four, limits: Self.small)
        #expect(error == .tooManyHeaders)
        #expect(error?.status == 431)
    }

    @Test func contentLengthOverLimitIs413AtHeadTime() throws {
        var parser = HTTPRequestParser(limits: Self.small)
        let head = Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.bodyTooLarge) { try parser.parseHead(head, from: 0) }
        #expect(HTTPParseError.bodyTooLarge.status == 413)
        // With Expect: 100-continue the answer is still 413, before any body is sent.
        let expect = "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 99999\r\n\r\n"
        #expect(parseError(expect) == .bodyTooLarge)
        // Exactly the limit is fine.
        let ok = parseOne("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits: Self.small)
        #expect(ok?.body.count == 10)
    }

    @Test func chunkedOverLimitIs413WhenTheTotalPassesIt() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let exact = parseOne(head + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n", limits: Self.small)
        #expect(exact?.body.count == 10)
        // The second chunk header already announces 11 bytes in total: refused before its data.
        let over = feedEveryWay(head + "5\r\n01234\r\n6\r\n", limits: Self.small)
        #expect(over.error == .bodyTooLarge)
        let huge = feedEveryWay(head + "7fffffffffffffff\r\n", limits: Self.small)
        #expect(huge.error == .bodyTooLarge)
    }

    @Test func chunkLineAndTrailerLimits() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        // 16 bytes of size line are fine, 17 are not.
        let sixteen = "1;" + String(repeating: "e", count: 14)
        #expect(parseOne(head + sixteen + "\r\nz\r\n0\r\n\r\n", limits: Self.small)?.body == [UInt8(ascii: "z")])
        #expect(feedEveryWay(head + sixteen + "e\r\nz\r\n0\r\n\r\n", limits: Self.small).error == .badChunk)
        // Leading zeros count toward the line limit too.
        #expect(feedEveryWay(head + String(repeating: "0", count: 40) + "1\r\n", limits: Self.small).error == .badChunk)
        // Trailers: 20 bytes allowed.
        #expect(parseOne(head + "0\r\nA: 123456789012345\r\n\r\n", limits: Self.small) != nil)
        let tooBig = feedEveryWay(head + "0\r\nA: 1234567890123456\r\n\r\n", limits: Self.small)
        #expect(tooBig.error == .trailersTooLarge)
        #expect(tooBig.error?.status == 431)
    }

    @Test func sixteenKiBHeadByteAtATime() {
        let limits = HTTPLimits(maxHeaderBytes: 32 * 1024, maxHeaderCount: 1000)
        var text = "GET /slow HTTP/1.1\r\nHost: a\r\n"
        var count = 1
        while text.utf8.count < 16 * 1024 - 64 {
            text += "X-Header-\(count): " + String(repeating: "v", count: 40) + "\r\n"
            count += 1
        }
        text += "\r\n"
        let bytes = Array(text.utf8)
        #expect(bytes.count > 16 * 1024 - 100)
        // One byte per read: the parser keeps its scan offset, so this is linear in the head size.
        let result = feed(bytes, splits: Array(0..<bytes.count), limits: limits)
        #expect(result.error == nil)
        #expect(result.requests.first?.head.headers.count == count)
        #expect(result.requests.first?.head.headers.first("x-header-7") == String(repeating: "v", count: 40))
    }

    @Test func limitsAreNormalized() {
        let parser = HTTPRequestParser(limits: HTTPLimits(maxHeaderBytes: Int.max, maxHeaderCount: -1))
        #expect(parser.limits.maxHeaderBytes == 1 << 30)
        #expect(parser.limits.maxHeaderCount == 0)
    }
}

import Testing
import HTTP1

/// Responses the webhook client must accept, each fed whole, split at every byte and one byte at a time.
@Suite("Response parser: valid responses")
struct ResponseParserValidTests {
    @Test func noContent() {
        let response = parseResponse("HTTP/1.1 204 No Content\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n")
        guard let head = response?.head else { return }
        #expect(head.version == .http1_1)
        #expect(head.status == 204)
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        #expect(head.headers.count == 1)
        #expect(head.headers.first("date") == "Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(response?.interim == [])
        #expect(response?.body == [])
    }

    @Test func okWithContentLength() {
        let response = parseResponse("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(response?.head.status == 200)
        #expect(response?.head.framing == .contentLength(11))
        #expect(response?.head.headers.first("content-type") == "text/plain")
        #expect(response?.body == Array("hello world".utf8))
    }

    @Test func chunkedWithTrailers() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\nX-Done: yes\r\n\r\n"
        let response = parseResponse(text)
        #expect(response?.head.framing == .chunked)
        #expect(response?.head.keepAlive == true)
        #expect(response?.body == Array("hello world".utf8))
    }

    @Test func notModifiedIgnoresContentLength() {
        // The 304's Content-Length describes the cached entity; no body follows (RFC 9112 §6.3 item 1),
        // so the next response starts right after the head.
        let result = feedResponsesEveryWay("HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\nETag: \"x\"\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(result.error == nil)
        #expect(result.responses.map(\.head.status) == [304, 200])
        #expect(result.responses.first?.head.framing == BodyFraming.none)
        #expect(result.responses.first?.body == [])
        #expect(result.responses.last?.body == Array("ok".utf8))
    }

    @Test func responseToHeadHasNoBody() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        let result = feedResponsesEveryWay(text, methods: [.head, .head, .get])
        #expect(result.error == nil)
        #expect(result.responses.map(\.head.framing) == [BodyFraming.none, .none, .contentLength(3)])
        #expect(result.responses.map(\.body) == [[], [], Array("abc".utf8)])
        // The same head answering a GET is a body far over the limit.
        #expect(responseError("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n") == .bodyTooLarge)
    }

    @Test func interimResponsesAreSkipped() {
        let text = "HTTP/1.1 100 Continue\r\n\r\n" + "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let response = parseResponse(text)
        #expect(response?.interim == [100, 103])
        #expect(response?.head.status == 200)
        #expect(response?.body == Array("ok".utf8))
    }

    @Test func interimHeadIsReported() throws {
        var parser = HTTPResponseParser()
        let bytes = Array("HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\nHTTP/1.1 201 Created\r\n\r\n".utf8)
        guard case .interim(let interim, let consumed) = try parser.parseHead(bytes, from: 0) else {
            Issue.record("expected an interim head")
            return
        }
        #expect(interim.status == 100 && interim.isInterim && interim.framing == .none)
        #expect(interim.headers.first("x-a") == "1")
        #expect(consumed == 33)
        guard case .head(let final, let rest) = try parser.parseHead(bytes, from: consumed) else {
            Issue.record("expected the final head")
            return
        }
        #expect(final.status == 201 && !final.isInterim)
        #expect(consumed + rest == bytes.count)
    }

    @Test func http10BodyUntilClose() {
        let response = parseResponse("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello\r\nworld", close: true)
        #expect(response?.head.version == .http1_0)
        #expect(response?.head.framing == .untilClose)
        #expect(response?.head.keepAlive == false)
        #expect(response?.body == Array("hello\r\nworld".utf8))
        // Before the close the body is still open: everything is consumed, nothing is complete.
        let open = feedResponsesEveryWay("HTTP/1.0 200 OK\r\n\r\nhello")
        #expect(open.error == nil && open.responses.isEmpty && open.unconsumed == 0)
    }

    @Test func http11WithoutLengthRunsUntilClose() {
        let response = parseResponse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n{\"ok\":true}", close: true)
        #expect(response?.head.framing == .untilClose)
        #expect(response?.head.keepAlive == false)
        #expect(response?.body == Array("{\"ok\":true}".utf8))
        // An empty body until close is a body too.
        #expect(parseResponse("HTTP/1.1 500 Oops\r\n\r\n", close: true)?.body == [])
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n", true),
        ("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false),
    ])
    func keepAliveDecision(text: String, keepAlive: Bool) {
        #expect(parseResponse(text)?.head.keepAlive == keepAlive)
    }

    @Test func statusLineForms() {
        // Empty reason with and without its SP, odd but legal reason bytes, the whole 1xx..5xx range.
        #expect(parseResponse("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n")?.head.status == 200)
        #expect(parseResponse("HTTP/1.1 202\r\nContent-Length: 0\r\n\r\n")?.head.status == 202)
        #expect(parseResponse("HTTP/1.1 404 Not\tFound \u{00E9}\r\nContent-Length: 0\r\n\r\n")?.head.status == 404)
        #expect(parseResponse("HTTP/1.1 599 X\r\nContent-Length: 0\r\n\r\n")?.head.status == 599)
        #expect(parseResponse("HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n")?.head.status == 410)
    }

    @Test func requestOnlyFieldsAreNotJudged() {
        // Host and Expect mean nothing in a response: no Host rules, no 417.
        let response = parseResponse("HTTP/1.1 200 OK\r\nHost: a b\r\nHost: c\r\nExpect: x\r\nContent-Length: 0\r\n\r\n")
        #expect(response?.head.headers.count == 4)
    }

    @Test func pipelinedResponsesBackToBack() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
            + "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
            + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 202 Accepted\r\nContent-Length: 5\r\n\r\nfive!"
            + "HTTP/1.1 200 OK\r\nContent-"
        let result = feedResponsesEveryWay(text)
        #expect(result.error == nil)
        #expect(result.responses.map(\.head.status) == [200, 201, 204, 202])
        #expect(result.responses.map(\.interim) == [[], [100], [], []])
        #expect(result.responses.map { String(decoding: $0.body, as: UTF8.self) } == ["one", "two", "", "five!"])
        #expect(result.unconsumed == "HTTP/1.1 200 OK\r\nContent-".utf8.count)
    }

    @Test func closeBetweenResponsesIsClean() {
        let result = feedResponsesEveryWay("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", close: true)
        #expect(result.error == nil)
        #expect(result.responses.count == 1)
    }

    @Test func resetReusesTheParserAndClearsAnError() throws {
        var parser = HTTPResponseParser()
        let bad = Array("HTTP/1.1 2x0 OK\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.badStatusLine) { try parser.parseHead(bad, from: 0) }
        // Sticky until reset, even for good input.
        let good = Array("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx".utf8)
        #expect(throws: HTTPParseError.badStatusLine) { try parser.parseHead(good, from: 0) }
        #expect(throws: HTTPParseError.badStatusLine) { try parser.finish() }
        parser.reset()
        guard case .head(let head, let consumed) = try parser.parseHead(good, from: 0) else {
            Issue.record("expected a head after reset")
            return
        }
        var body: [UInt8] = []
        #expect(head.framing == .contentLength(1))
        #expect(try parser.parseBody(good, from: consumed, into: &body) == BodyResult(consumed: 1, complete: true))
        #expect(body == [UInt8(ascii: "x")])
    }
}

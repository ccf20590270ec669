import Testing
import HTTP1

@Suite("Valid requests")
struct ValidRequestTests {
    @Test func simpleGet() {
        let request = parseOne("GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test/1.0\r\n\r\n")
        guard let head = request?.head else { return }
        #expect(head.method == .get)
        #expect(head.version == .http1_1)
        #expect(head.path == "/index.html")
        #expect(head.query == nil)
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
        #expect(head.framing == .none)
        #expect(head.headers.count == 2)
        #expect(head.headers.first("host") == "example.com")
        #expect(head.headers.first("user-agent") == "test/1.0")
        #expect(request?.body == [])
    }

    @Test func head() {
        let head = parseOne("HEAD /status HTTP/1.1\r\nHost: a\r\n\r\n")?.head
        #expect(head?.method == .head)
        #expect(head?.path == "/status")
    }

    @Test func postWithContentLength() {
        let request = parseOne("POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(request?.head.method == .post)
        #expect(request?.head.framing == .contentLength(11))
        #expect(request?.body == Array("hello world".utf8))
    }

    @Test func zeroContentLengthMeansNoBody() {
        let request = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        #expect(request?.head.framing == BodyFraming.none)
        #expect(request?.body == [])
    }

    @Test func identicalContentLengthsCollapse() {
        let a = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc")
        #expect(a?.head.framing == .contentLength(3))
        #expect(a?.body == Array("abc".utf8))
        let b = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length:3\r\n\r\nabc")
        #expect(b?.head.framing == .contentLength(3))
    }

    @Test func chunkedWithExtensionsAndTrailers() {
        let text = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n"
            + "6 ; quoted=\"a;b\"\r\n world\r\n"
            + "A\r\n0123456789\r\n"
            + "000\r\n"
            + "Trailer-One: x\r\nChecksum: abc def\r\n\r\n"
        let request = parseOne(text)
        #expect(request?.head.framing == .chunked)
        #expect(request?.body == Array("hello world0123456789".utf8))
    }

    @Test func chunkedEmptyBodyAndCaseInsensitiveCoding() {
        let request = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tChunked\r\n\r\n0\r\n\r\n")
        #expect(request?.head.framing == .chunked)
        #expect(request?.body == [])
        // Empty list elements are ignored (RFC 9110 §5.6.1).
        let listed = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n1\r\nz\r\n0\r\n\r\n")
        #expect(listed?.body == [UInt8(ascii: "z")])
    }

    @Test func http10Persistence() {
        let plain = parseOne("GET / HTTP/1.0\r\n\r\n")?.head
        #expect(plain?.version == .http1_0)
        #expect(plain?.keepAlive == false)
        let keepAlive = parseOne("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.head
        #expect(keepAlive?.keepAlive == true)
        let both = parseOne("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")?.head
        #expect(both?.keepAlive == false)
    }

    @Test func http11ConnectionClose() {
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?.head.keepAlive == false)
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n")?.head.keepAlive == false)
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")?.head.keepAlive == true)
        #expect(parseOne("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n")?.head.keepAlive == true)
    }

    @Test func expectContinue() {
        let head = parseOne("POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok")?.head
        #expect(head?.expectsContinue == true)
        // RFC 9110 §10.1.1: ignored on HTTP/1.0.
        let old = parseOne("POST /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok")?.head
        #expect(old?.expectsContinue == false)
    }

    @Test func pipelinedRequests() {
        let text = "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /three HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
            + "\r\n"  // a stray CRLF between requests is tolerated (RFC 9112 §2.2)
            + "GET /four?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            + "GET /fi"  // incomplete fifth request
        let result = feedEveryWay(text)
        #expect(result.error == nil)
        #expect(result.requests.map(\.head.path) == ["/one", "/two", "/three", "/four"])
        #expect(result.requests.map(\.body) == [[], Array("abc".utf8), Array("xy".utf8), []])
        #expect(result.requests.last?.head.keepAlive == false)
        #expect(result.requests.last?.head.query == "x=1")
        #expect(result.unconsumed == 7)
    }

    @Test func parseHeadReportsConsumedHeadLength() throws {
        var parser = HTTPRequestParser()
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let bytes = Array((head + "NEXT").utf8)
        let result = try parser.parseHead(bytes, from: 0)
        guard case .head(_, let consumed) = result else {
            Issue.record("expected a head, got \(result)")
            return
        }
        #expect(consumed == head.utf8.count)
    }

    @Test func querySplit() {
        let head = parseOne("GET /search/a%20b?q=x%26y&z=1?w HTTP/1.1\r\nHost: a\r\n\r\n")?.head
        #expect(head?.path == "/search/a%20b")
        #expect(head?.query == "q=x%26y&z=1?w")
        #expect(parseOne("GET /p? HTTP/1.1\r\nHost: a\r\n\r\n")?.head.query == "")
        #expect(parseOne("GET /?a HTTP/1.1\r\nHost: a\r\n\r\n")?.head.path == "/")
    }

    @Test func headerLookupIsCaseInsensitiveAndTrimmed() {
        let text = "GET / HTTP/1.1\r\nHOST: a\r\nX-Custom-Header:   some value \t\r\nx-custom-header: second\r\n"
            + "Empty:\r\nTabbed:\tinner\ttab\t\r\nObs: caf\u{e9}\r\n\r\n"
        guard let headers = parseOne(text)?.head.headers else { return }
        #expect(headers.first("x-custom-header") == "some value")
        #expect(headers.first("X-CUSTOM-HEADER") == "some value")
        #expect(headers.values("x-custom-header") == ["some value", "second"])
        #expect(headers.contains("host"))
        #expect(!headers.contains("hos"))
        #expect(!headers.contains("hostx"))
        #expect(headers.first("missing") == nil)
        #expect(headers.first("empty") == "")
        #expect(headers.first("tabbed") == "inner\ttab")
        #expect(headers.first("obs") == "caf\u{e9}")
        #expect(headers.firstValueBytes("host") == [UInt8(ascii: "a")][...])
        let pairs = headers.map { "\($0.name)=\($0.value)" }
        #expect(pairs == ["HOST=a", "X-Custom-Header=some value", "x-custom-header=second", "Empty=",
                          "Tabbed=inner\ttab", "Obs=caf\u{e9}"])
    }

    @Test func leadingEmptyLinesAreSkipped() {
        let head = parseOne("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head
        #expect(head?.path == "/x")
    }

    @Test func methods() {
        #expect(parseOne("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .options)
        #expect(parseOne("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")?.head.path == "*")
        #expect(parseOne("PUT /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .put)
        #expect(parseOne("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .delete)
        #expect(parseOne("PATCH /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .patch)
        #expect(parseOne("PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .other("PURGE"))
        // Methods are case-sensitive (RFC 9110 §9.1).
        #expect(parseOne("get /x HTTP/1.1\r\nHost: a\r\n\r\n")?.head.method == .other("get"))
    }

    @Test func hostForms() {
        #expect(parseOne("GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n") != nil)
        #expect(parseOne("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n") != nil)
        #expect(parseOne("GET / HTTP/1.1\r\nHost:\r\n\r\n") != nil)
    }

    @Test func parserIsReusableAfterReset() throws {
        var parser = HTTPRequestParser()
        let bad = Array("GET / HTTP/1.1\r\nHost : a\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.whitespaceBeforeColon) { try parser.parseHead(bad, from: 0) }
        // The error is sticky until reset.
        let good = Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        #expect(throws: HTTPParseError.whitespaceBeforeColon) { try parser.parseHead(good, from: 0) }
        parser.reset()
        let result = try parser.parseHead(good, from: 0)
        guard case .head(let head, _) = result else {
            Issue.record("expected a head")
            return
        }
        #expect(head.path == "/")
    }

    @Test func rawBufferEntryPoint() throws {
        var parser = HTTPRequestParser()
        let bytes = Array("xxGET /raw HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi".utf8)
        try bytes.withUnsafeBytes { raw in
            let result = try parser.parseHead(UnsafeRawBufferPointer(rebasing: raw[2...]))
            guard case .head(let head, let consumed) = result else {
                Issue.record("expected a head")
                return
            }
            #expect(head.path == "/raw")
            var body: [UInt8] = []
            let step = try parser.parseBody(UnsafeRawBufferPointer(rebasing: raw[(2 + consumed)...]), into: &body)
            #expect(step == BodyResult(consumed: 2, complete: true))
            #expect(body == Array("hi".utf8))
        }
    }
}

@Suite("Synthetic heads")
struct SyntheticHeadTests {
    @Test func headersFromPairs() {
        let headers = HTTPHeaders([("Host", "a"), ("X-Trim", "  v  "), ("x-trim", "w")])
        #expect(headers.count == 3)
        #expect(headers.first("x-trim") == "v")
        #expect(headers.values("X-TRIM") == ["v", "w"])
        #expect(HTTPHeaders().isEmpty)
        let head = HTTPRequestHead(method: .get, path: "/x", headers: headers)
        #expect(head.keepAlive)
        #expect(head.framing == .none)
        #expect(head.method.rawValue == "GET")
        #expect(head.version.description == "HTTP/1.1")
    }
}

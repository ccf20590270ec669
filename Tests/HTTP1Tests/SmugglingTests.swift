import Testing
import HTTP1

/// Payloads that must be refused, each fed whole, split at every byte and one byte at a time.
@Suite("Request smuggling and malformed input")
struct SmugglingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var raw: String
        var error: HTTPParseError
        var testDescription: String { label }
    }

    static let post = "POST / HTTP/1.1\r\nHost: a\r\n"

    static let framingCases: [Case] = [
        Case(label: "CL.TE", raw: post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
             error: .conflictingFraming),
        Case(label: "TE.CL", raw: post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
             error: .conflictingFraming),
        Case(label: "TE xchunked", raw: post + "Transfer-Encoding: xchunked\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE space before colon", raw: post + "Transfer-Encoding : chunked\r\n\r\n",
             error: .whitespaceBeforeColon),
        Case(label: "TE tab before colon", raw: post + "Transfer-Encoding\t: chunked\r\n\r\n",
             error: .whitespaceBeforeColon),
        Case(label: "TE as obs-fold", raw: post + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n", error: .obsFold),
        Case(label: "TE chunked, identity", raw: post + "Transfer-Encoding: chunked, identity\r\n\r\n",
             error: .badTransferEncoding),
        Case(label: "TE identity, chunked", raw: post + "Transfer-Encoding: identity, chunked\r\n\r\n",
             error: .unsupportedTransferEncoding),
        Case(label: "TE gzip, chunked", raw: post + "Transfer-Encoding: gzip, chunked\r\n\r\n",
             error: .unsupportedTransferEncoding),
        Case(label: "TE gzip only", raw: post + "Transfer-Encoding: gzip\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE chunked twice in one field", raw: post + "Transfer-Encoding: chunked, chunked\r\n\r\n",
             error: .badTransferEncoding),
        Case(label: "TE duplicate fields", raw: post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
             error: .badTransferEncoding),
        Case(label: "TE chunked then identity field",
             raw: post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE quoted", raw: post + "Transfer-Encoding: \"chunked\"\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE with parameter", raw: post + "Transfer-Encoding: chunked;q=1\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE empty", raw: post + "Transfer-Encoding: \r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE chunked with junk word", raw: post + "Transfer-Encoding: chunked x\r\n\r\n",
             error: .badTransferEncoding),
        Case(label: "TE vertical tab", raw: post + "Transfer-Encoding: \u{0B}chunked\r\n\r\n", error: .invalidHeaderValue),
        Case(label: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             error: .transferEncodingInHTTP10),
        Case(label: "CL differing fields", raw: post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
             error: .duplicateContentLength),
        Case(label: "CL plus sign", raw: post + "Content-Length: +5\r\n\r\nhello", error: .badContentLength),
        Case(label: "CL minus sign", raw: post + "Content-Length: -5\r\n\r\n", error: .badContentLength),
        Case(label: "CL differing list", raw: post + "Content-Length: 5, 6\r\n\r\nhello!", error: .duplicateContentLength),
        Case(label: "CL trailing comma", raw: post + "Content-Length: 5,\r\n\r\nhello", error: .badContentLength),
        Case(label: "CL hex", raw: post + "Content-Length: 0x5\r\n\r\nhello", error: .badContentLength),
        Case(label: "CL two numbers", raw: post + "Content-Length: 5 5\r\n\r\nhello", error: .badContentLength),
        Case(label: "CL empty", raw: post + "Content-Length: \r\n\r\n", error: .badContentLength),
        Case(label: "CL exponent", raw: post + "Content-Length: 1e3\r\n\r\n", error: .badContentLength),
        Case(label: "CL overflow", raw: post + "Content-Length: 99999999999999999999999999\r\n\r\n",
             error: .badContentLength),
        Case(label: "CL Int.max + 1", raw: post + "Content-Length: 9223372036854775808\r\n\r\n", error: .badContentLength),
    ]

    static let chunkCases: [Case] = [
        Case(label: "chunk size 0x5", raw: "0x5\r\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size -1", raw: "-1\r\nx\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size empty", raw: "\r\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size overflow", raw: "ffffffffffffffffff\r\nx\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size non-hex", raw: "5g\r\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size trailing space", raw: "5 \r\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk data longer than size", raw: "5\r\nhelloEXTRA\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk data without CRLF", raw: "5\r\nhello0\r\n\r\n", error: .badChunk),
        Case(label: "chunk data CR without LF", raw: "5\r\nhello\rX0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size line bare LF", raw: "5\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk extension bare LF", raw: "5;a\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk extension NUL", raw: "5;a\u{0}\r\nhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "chunk size bare CR", raw: "5\rhello\r\n0\r\n\r\n", error: .badChunk),
        Case(label: "last chunk bare LF", raw: "0\r\n\n", error: .badChunk),
        Case(label: "trailer obs-fold", raw: "0\r\nA: b\r\n folded\r\n\r\n", error: .badChunk),
        Case(label: "trailer bare LF", raw: "0\r\nA: b\n\r\n", error: .badChunk),
        Case(label: "final CRLF bare CR", raw: "0\r\n\rX", error: .badChunk),
    ]

    static let headCases: [Case] = [
        Case(label: "bare CR in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", error: .bareCR),
        Case(label: "bare CR line end", raw: "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", error: .bareCR),
        Case(label: "bare CR in name", raw: "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", error: .bareCR),
        Case(label: "bare CR in request line", raw: "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", error: .bareCR),
        Case(label: "bare LF after request line", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", error: .bareLF),
        Case(label: "bare LF after field", raw: "GET / HTTP/1.1\r\nHost: a\n\r\n", error: .bareLF),
        Case(label: "bare LF final line", raw: "GET / HTTP/1.1\r\nHost: a\r\n\n", error: .bareLF),
        Case(label: "bare LF leading line", raw: "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", error: .bareLF),
        Case(label: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", error: .invalidHeaderValue),
        Case(label: "DEL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}b\r\n\r\n", error: .invalidHeaderValue),
        Case(label: "ESC in long value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: abcdefghijklmnop\u{1B}q\r\n\r\n",
             error: .invalidHeaderValue),
        Case(label: "control char in target", raw: "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "tab in request line", raw: "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "non-ASCII in target", raw: "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n\tc\r\n\r\n", error: .obsFold),
        Case(label: "space before first field", raw: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", error: .obsFold),
        Case(label: "space before colon", raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", error: .whitespaceBeforeColon),
        Case(label: "space inside name", raw: "GET / HTTP/1.1\r\nHost: a\r\nX Y: b\r\n\r\n", error: .invalidHeaderName),
        Case(label: "invalid name char", raw: "GET / HTTP/1.1\r\nHost: a\r\nX(y): b\r\n\r\n", error: .invalidHeaderName),
        Case(label: "empty name", raw: "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", error: .invalidHeaderName),
        Case(label: "no colon", raw: "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", error: .invalidHeaderName),
        Case(label: "two spaces after method", raw: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "two spaces after target", raw: "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "trailing space", raw: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "missing version", raw: "GET /\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "leading space", raw: " GET / HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "bad method char", raw: "G(ET / HTTP/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "lowercase http", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "HTTP/1.10", raw: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "HTTP/1", raw: "GET / HTTP/1\r\nHost: a\r\n\r\n", error: .badRequestLine),
        Case(label: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", error: .versionNotSupported),
        Case(label: "HTTP/1.2", raw: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", error: .versionNotSupported),
        Case(label: "HTTP/0.9", raw: "GET / HTTP/0.9\r\n\r\n", error: .versionNotSupported),
        Case(label: "HTTP/2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", error: .versionNotSupported),
        Case(label: "absolute-form", raw: "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestTarget),
        Case(label: "asterisk for GET", raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestTarget),
        Case(label: "fragment", raw: "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidRequestTarget),
        Case(label: "missing Host", raw: "GET / HTTP/1.1\r\nX: a\r\n\r\n", error: .missingHost),
        Case(label: "two Hosts", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .duplicateHost),
        Case(label: "two Hosts on 1.0", raw: "GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", error: .duplicateHost),
        Case(label: "Host with space", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", error: .invalidHost),
        Case(label: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", error: .invalidHost),
        Case(label: "Host with path", raw: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", error: .invalidHost),
        Case(label: "unknown Expect", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n", error: .expectationFailed),
    ]

    @Test(arguments: framingCases)
    func framingIsRefused(_ testCase: Case) {
        let error = parseError(testCase.raw)
        #expect(error == testCase.error)
    }

    @Test(arguments: chunkCases)
    func badChunkIsRefused(_ testCase: Case) {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let result = feedEveryWay(head + testCase.raw)
        #expect(result.requests.isEmpty)
        #expect(result.error == testCase.error)
    }

    @Test(arguments: headCases)
    func malformedHeadIsRefused(_ testCase: Case) {
        let error = parseError(testCase.raw)
        #expect(error == testCase.error)
    }

    @Test func statusCodes() {
        #expect(HTTPParseError.badChunk.status == 400)
        #expect(HTTPParseError.uriTooLong.status == 414)
        #expect(HTTPParseError.headersTooLarge.status == 431)
        #expect(HTTPParseError.tooManyHeaders.status == 431)
        #expect(HTTPParseError.bodyTooLarge.status == 413)
        #expect(HTTPParseError.expectationFailed.status == 417)
        #expect(HTTPParseError.unsupportedTransferEncoding.status == 501)
        #expect(HTTPParseError.versionNotSupported.status == 505)
        #expect(HTTPParseError.missingHost.status == 400)
        #expect(HTTPParseError.conflictingFraming.closesConnection)
        #expect(!HTTPParseError.obsFold.title.isEmpty)
    }

    @Test func errorAfterValidRequestKeepsTheValidOne() {
        let result = feedEveryWay("GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nHost : a\r\n\r\n")
        #expect(result.requests.map(\.head.path) == ["/ok"])
        #expect(result.error == .whitespaceBeforeColon)
    }
}

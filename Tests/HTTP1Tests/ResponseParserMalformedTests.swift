import Testing
import HTTP1

/// Responses the webhook client must refuse, each fed whole, split at every byte and one byte at a time.
@Suite("Response parser: malformed and smuggling input")
struct ResponseParserMalformedTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var raw: String
        var error: HTTPParseError
        var method: HTTPMethod = .get
        var close = false
        var testDescription: String { label }
    }

    static let ok = "HTTP/1.1 200 OK\r\n"

    static let statusLineCases: [Case] = [
        Case(label: "two-digit status", raw: "HTTP/1.1 20 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "four-digit status", raw: "HTTP/1.1 2000 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "letter in status", raw: "HTTP/1.1 2x0 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "signed status", raw: "HTTP/1.1 +20 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "status below 100", raw: "HTTP/1.1 099 Low\r\n\r\n", error: .badStatusLine),
        Case(label: "status 600", raw: "HTTP/1.1 600 High\r\n\r\n", error: .badStatusLine),
        Case(label: "two SPs before status", raw: "HTTP/1.1  200 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "tab before status", raw: "HTTP/1.1\t200 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "no status", raw: "HTTP/1.1\r\n\r\n", error: .badStatusLine),
        Case(label: "lowercase version", raw: "http/1.1 200 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "version without minor", raw: "HTTP/1 200 OK\r\n\r\n", error: .badStatusLine),
        Case(label: "HTTP/2.0", raw: "HTTP/2.0 200 OK\r\n\r\n", error: .versionNotSupported),
        Case(label: "HTTP/1.2", raw: "HTTP/1.2 200 OK\r\n\r\n", error: .versionNotSupported),
        Case(label: "not HTTP at all", raw: "SSH-2.0-OpenSSH_9.6\r\n\r\n", error: .badStatusLine),
        Case(label: "empty line before status line", raw: "\r\n" + ok + "Content-Length: 0\r\n\r\n", error: .badStatusLine),
        Case(label: "NUL in reason", raw: "HTTP/1.1 200 O\u{0}K\r\n\r\n", error: .badStatusLine),
        Case(label: "DEL in reason", raw: "HTTP/1.1 200 O\u{7F}K\r\n\r\n", error: .badStatusLine),
        Case(label: "bare CR in reason", raw: "HTTP/1.1 200 O\rK\r\n\r\n", error: .bareCR),
        Case(label: "bare LF ends status line", raw: "HTTP/1.1 200 OK\n\r\n", error: .bareLF),
        Case(label: "101 never asked for", raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
             error: .unexpectedUpgrade),
    ]

    static let fieldCases: [Case] = [
        Case(label: "bare LF ends field line", raw: ok + "Content-Length: 0\n\r\n", error: .bareLF),
        Case(label: "bare LF ends head", raw: ok + "Content-Length: 0\r\n\n", error: .bareLF),
        Case(label: "obs-fold", raw: ok + "X-A: 1\r\n continued\r\n\r\n", error: .obsFold),
        Case(label: "space before colon", raw: ok + "Content-Length : 0\r\n\r\n", error: .whitespaceBeforeColon),
        Case(label: "tab before colon", raw: ok + "Transfer-Encoding\t: chunked\r\n\r\n", error: .whitespaceBeforeColon),
        Case(label: "no colon", raw: ok + "Content-Length 0\r\n\r\n", error: .invalidHeaderName),
        Case(label: "empty name", raw: ok + ": 0\r\n\r\n", error: .invalidHeaderName),
        Case(label: "control in value", raw: ok + "X-A: a\u{1}b\r\n\r\n", error: .invalidHeaderValue),
        Case(label: "bare CR in value", raw: ok + "X-A: a\rb\r\n\r\n", error: .bareCR),
        Case(label: "head cut by the close", raw: ok + "Content-Len", error: .truncatedMessage, close: true),
    ]

    static let framingCases: [Case] = [
        Case(label: "CL then TE", raw: ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             error: .conflictingFraming),
        Case(label: "TE then CL", raw: ok + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
             error: .conflictingFraming),
        Case(label: "CL and TE on a 204", raw: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n",
             error: .conflictingFraming),
        Case(label: "CL and TE on a HEAD response", raw: ok + "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
             error: .conflictingFraming, method: .head),
        Case(label: "CL differing fields", raw: ok + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
             error: .duplicateContentLength),
        Case(label: "CL differing list", raw: ok + "Content-Length: 5, 6\r\n\r\nhello!", error: .duplicateContentLength),
        Case(label: "CL negative", raw: ok + "Content-Length: -1\r\n\r\n", error: .badContentLength),
        Case(label: "CL hex", raw: ok + "Content-Length: 0x5\r\n\r\nhello", error: .badContentLength),
        Case(label: "CL empty", raw: ok + "Content-Length: \r\n\r\n", error: .badContentLength),
        Case(label: "CL overflow", raw: ok + "Content-Length: 99999999999999999999999\r\n\r\n", error: .badContentLength),
        Case(label: "TE gzip only", raw: ok + "Transfer-Encoding: gzip\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE chunked not last", raw: ok + "Transfer-Encoding: chunked, gzip\r\n\r\n", error: .badTransferEncoding),
        Case(label: "TE chunked twice", raw: ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
             error: .badTransferEncoding),
        Case(label: "TE gzip, chunked", raw: ok + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
             error: .unsupportedTransferEncoding),
        Case(label: "TE in HTTP/1.0", raw: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             error: .transferEncodingInHTTP10),
        Case(label: "chunk size not hex", raw: ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", error: .badChunk),
        Case(label: "chunk longer than its size", raw: ok + "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
             error: .badChunk),
        Case(label: "bare LF after chunk size", raw: ok + "Transfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n",
             error: .badChunk),
        Case(label: "CL body cut by the close", raw: ok + "Content-Length: 10\r\n\r\nshort", error: .truncatedMessage,
             close: true),
        Case(label: "chunked body cut by the close", raw: ok + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
             error: .truncatedMessage, close: true),
        Case(label: "chunked body without last chunk", raw: ok + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n",
             error: .truncatedMessage, close: true),
    ]

    @Test(arguments: statusLineCases + fieldCases + framingCases)
    func refused(_ c: Case) {
        let error = responseError(c.raw, method: c.method, close: c.close)
        #expect(error == c.error, "\(c.label): got \(String(describing: error))")
    }

    @Test func responseErrorsMapTo502() {
        for error in [HTTPParseError.badStatusLine, .statusLineTooLong, .unexpectedUpgrade, .truncatedMessage] {
            #expect(error.status == 502, "\(error)")
            #expect(!error.title.isEmpty && error.closesConnection)
        }
    }
}

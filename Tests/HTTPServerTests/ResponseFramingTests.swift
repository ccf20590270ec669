// Both kinds of answer are framed by one set of rules: a prewritten answer comes out byte for byte as the
// encoder writes the same response, for every framing; the scratch buffer refuses to overflow.
import HTTP1
import Testing
@testable import HTTPServer

@Suite struct ResponseFramingTests {
    struct Fixed: PrewrittenResponse {
        var status: Int
        var fields: [(String, String)]
        var body: [UInt8]
        func writeFields(_ put: (UnsafeRawBufferPointer) -> Void) {
            for (n, v) in fields { Array("\(n): \(v)\r\n".utf8).withUnsafeBytes(put) }
        }
        var bodyCount: Int { body.count }
        func writeBody(_ put: (UnsafeRawBufferPointer) -> Void) { body.withUnsafeBytes(put) }
    }

    static let framings: [AnswerFraming] = [false, true].flatMap { close in
        [false, true].flatMap { http10 in [false, true].map { AnswerFraming(close: close, http10KeepAlive: http10, omitBody: $0) } }
    }

    @Test(arguments: [200, 201, 304, 404])
    func prewrittenMatchesTheEncoder(status: Int) {
        let fields = [("Content-Type", "application/json"), ("ETag", "\"r5l\"")]
        let extra = [("Access-Control-Allow-Origin", "https://a.example"), ("Vary", "Origin")]
        let body = Array("{\"a\":1}".utf8)
        for framing in Self.framings {
            var viaEncoder: [UInt8] = []
            let ok = ResponseFraming.append(HTTPResponse(status: status, headers: fields, body: .bytes(body)), fields: extra, framing,
                                            date: "Sun, 06 Nov 1994 08:49:37 GMT", to: &viaEncoder)
            var prewritten: [UInt8] = []
            ResponseFraming.write(Fixed(status: status, fields: fields, body: body), fields: extra, framing,
                                  date: "Sun, 06 Nov 1994 08:49:37 GMT", into: &prewritten)
            #expect(ok)
            #expect(String(decoding: prewritten, as: UTF8.self) == String(decoding: viaEncoder, as: UTF8.self), "\(status) \(framing)")
        }
    }

    @Test func anUnencodableResponseBecomesTheClosingFallback() {
        var out: [UInt8] = []
        let framing = AnswerFraming(close: false, http10KeepAlive: false, omitBody: false)
        let ok = ResponseFraming.append(HTTPResponse(status: 200, headers: [("X", "a\r\nSet-Cookie: y")]), fields: [], framing, date: "d", to: &out)
        #expect(!ok && out.isEmpty, "a refused response leaves nothing behind")
        ResponseFraming.fallback(HTTPResponse(status: 500, headers: [("Content-Type", "text/plain")], body: .bytes(Array("no".utf8))),
                                 framing, date: "d", to: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 500 "))
        #expect(text.contains("Connection: close\r\n") && !text.contains("Set-Cookie"))
    }

    @Test func scratchCopiesDecimalsAndRefusesToOverflow() {
        var s = ResponseScratch()  // var: the put helpers are the sink protocol's mutating methods
        for n in [0, 7, 10, 4096, Int.max] {
            s.reset()
            s.putDecimal(n)
            #expect(String(decoding: s.written, as: UTF8.self) == String(n))
        }
        s.reset()
        s.put(Array(repeating: UInt8(ascii: "x"), count: ResponseScratch.capacityBytes - 2))
        s.put("ab")
        #expect(!s.overflowed && s.count == ResponseScratch.capacityBytes)
        s.put("c")
        #expect(s.overflowed, "one byte past the capacity is refused, not written")
        #expect(s.count == ResponseScratch.capacityBytes)
    }
}

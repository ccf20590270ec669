// HTTPRequestEncoder: exact bytes for a POST and a GET, and refusals that leave the buffer unchanged.
import HTTP1
import Testing

struct RequestEncoderTests {
    @Test func postIsEncodedByteForByte() throws {
        var out: [UInt8] = []
        try HTTPRequestEncoder.appendRequest(into: &out, method: .post, target: "/hooks?a=1", host: "example.com:8443",
                                             headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        #expect(String(decoding: out, as: UTF8.self) ==
            "POST /hooks?a=1 HTTP/1.1\r\nHost: example.com:8443\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func getWithoutBodyHasNoContentLength() throws {
        var out: [UInt8] = []
        try HTTPRequestEncoder.appendRequest(into: &out, method: .get, target: "/", host: "h")
        #expect(String(decoding: out, as: UTF8.self) == "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    }

    @Test(arguments: [
        (HTTPMethod.other("BAD METHOD"), "/", "h", [("A", "b")], HTTPRequestError.invalidMethod),
        (.post, "http://x/", "h", [], .invalidTarget),
        (.post, "/a#frag", "h", [], .invalidTarget),
        (.post, "/", "h x", [], .invalidHost),
        (.post, "/", "h", [("Bad Name", "v")], .invalidHeaderName),
        (.post, "/", "h", [("X", "a\r\nInjected: 1")], .invalidHeaderValue),
        (.post, "/", "h", [("content-length", "5")], .reservedHeader),
    ])
    func refusalsLeaveTheBufferUnchanged(method: HTTPMethod, target: String, host: String,
                                         headers: [(String, String)], expected: HTTPRequestError) {
        var out: [UInt8] = [1, 2, 3]
        #expect(throws: expected) {
            try HTTPRequestEncoder.appendRequest(into: &out, method: method, target: target, host: host, headers: headers)
        }
        #expect(out == [1, 2, 3])
    }
}

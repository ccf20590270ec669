// HTTP/1.1 over real sockets on 127.0.0.1: keep-alive, 1.0, pipelining, bodies, 100-continue, HEAD,
// routing, errors as problem+json, and the smuggling/limit refusals reaching the wire as 4xx + close.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

@Suite struct ServerProtocolTests {
    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        for _ in 0..<3 {
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.text == "{\"status\":\"ok\"}")
            #expect(r.header("date")?.hasSuffix(" GMT") == true)
            #expect(r.header("connection") == nil)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("GET /items/a1/detail HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /items/b2/detail HTTP/1.1\r\nHost: x\r\n\r\n")
        let r1 = try c.readResponse(), r2 = try c.readResponse(), r3 = try c.readResponse(), r4 = try c.readResponse()
        #expect(r1.text == "item=a1")
        #expect(r2.status == 404)
        #expect(r2.header("content-type") == "application/problem+json")
        #expect(r2.text.contains("\"status\":404"))
        #expect(r3.text == "abc")
        #expect(r4.text == "item=b2")
    }

    @Test func http10ClosesUnlessKeepAliveAsked() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("GET /healthz HTTP/1.0\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 200)
        #expect(r.header("connection") == "close")
        #expect(c.readsEOF())
    }

    @Test func http10KeepAliveIsConfirmedAndKept() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        for _ in 0..<2 {
            c.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.header("connection") == "keep-alive")
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        #expect(c.readsEOF())
    }

    @Test func headAnswersWithoutBody() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let h = try c.readResponse(bodyless: true)
        #expect(h.status == 200)
        #expect(h.header("content-length") == "15")
        let g = try c.readResponse()
        #expect(g.text == "{\"status\":\"ok\"}")
    }

    @Test func chunkedBodyAndExpectContinue() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n")
        #expect(try c.readResponse().text == "abcde")
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try c.readResponse()
        #expect(interim.status == 100)
        c.send("wxyz")
        #expect(try c.readResponse().text == "wxyz")
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try c.readResponse()
        #expect(r.status == 405)
        #expect(r.header("allow") == "GET, HEAD")
        #expect(r.header("content-type") == "application/problem+json")
    }

    static let refused: [(String, String, Int)] = [
        ("CL.TE", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("TE.CL", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400),
        ("dup CL", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("obs-fold", "GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
        ("space before colon", "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", 400),
        ("bare CR", "GET /healthz HTTP/1.1\r\nHost: x\rY\r\n\r\n", 400),
        ("ctl in line", "GET /he\u{01}althz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("bad chunk", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("no host", "GET /healthz HTTP/1.1\r\n\r\n", 400),
        ("too long uri", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("too many headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-A: b\r\n", count: 120) + "\r\n", 431),
        ("header bytes", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 17000) + "\r\n\r\n", 431),
        ("body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n", 413),
    ]

    @Test(arguments: refused.indices)
    func smugglingAndLimitsAreRefusedAndClosed(_ i: Int) throws {
        let (name, payload, status) = Self.refused[i]
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send(payload)
        let r = try c.readResponse()
        #expect(r.status == status, "\(name)")
        #expect(r.header("content-type") == "application/problem+json", "\(name)")
        #expect(r.header("connection") == "close", "\(name)")
        #expect(c.readsEOF(), "\(name)")
    }

    @Test func slowClientByteAtATimeIsServed() throws {
        let s = try TestServer()
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        for b in Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8) { c.send([b]) }
        #expect(try c.readResponse().status == 200)
    }
}

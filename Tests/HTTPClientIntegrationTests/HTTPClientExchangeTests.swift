// The HTTP client against a real Python HTTP/1.1 server over loopback, on a running Reactor loop:
// exact request bytes, statuses and framings, keep-alive reuse, the per-origin cap, the request
// deadline, a server closing an idle pooled connection, a refused connect and the address filter.
import GatewayTestSupport
import HTTP1
import HTTPClient
import Testing

@Suite(.serialized, .enabled(if: TestHTTPServer.available, "python3 is not installed"))
struct HTTPClientExchangeTests {
    /// A request timeout well under the server's /slow sleep, in nanoseconds.
    static let shortTimeoutNanos: UInt64 = 300_000_000

    private func withServer(_ configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
                            _ body: (TestHTTPServer, ClientHarness, ClientOrigin) throws -> Void) throws {
        let server = try TestHTTPServer()
        defer { server.stop() }
        let harness = try ClientHarness(configuration)
        defer { harness.stop() }
        try body(server, harness, ClientOrigin(scheme: .http, host: "127.0.0.1", port: server.port))
    }

    @Test func postWithBodyArrivesByteExactAnd204ComesBack() throws {
        try withServer { server, harness, origin in
            let body = Array(#"{"type":"attendee.joined","data":{"n":1}}"#.utf8) + [0x00, 0xFF, 0x0A]
            let request = ClientRequest(origin: origin, target: "/204?attempt=1", method: .post,
                                        headers: [("Content-Type", "application/json"), ("webhook-id", "evt_1")],
                                        body: body)
            let answer = harness.run(request)
            guard case .success(let response) = answer else {
                Issue.record("expected a response, got \(String(describing: answer))")
                return
            }
            #expect(response.status == 204)
            #expect(response.body.isEmpty)
            let received = server.requests
            #expect(received.count == 1)
            #expect(received.first?.requestLine == "POST /204?attempt=1 HTTP/1.1\r\n")
            #expect(received.first?.headers == [["Host", "127.0.0.1:\(server.port)"], ["Content-Type", "application/json"],
                                                ["webhook-id", "evt_1"], ["Content-Length", "\(body.count)"]])
            #expect(received.first?.body == body)
        }
    }

    @Test func statusesAndFramingsComeBackAsResponses() throws {
        try withServer { _, harness, origin in
            let cases: [(String, Int, String)] = [("/200", 200, "hello from the test server"),
                                                  ("/chunked", 200, "first chunk, second chunk"),
                                                  ("/500", 500, "internal error"), ("/410", 410, "gone"),
                                                  ("/close", 200, "bye")]
            for (path, status, text) in cases {
                let answer = harness.run(ClientRequest(origin: origin, target: path, method: .get))
                guard case .success(let response) = answer else {
                    Issue.record("\(path): \(String(describing: answer))")
                    continue
                }
                #expect(response.status == status, "\(path)")
                #expect(String(decoding: response.body, as: UTF8.self) == text, "\(path)")
            }
        }
    }

    @Test func keepAliveReusesOneConnectionForTenRequests() throws {
        try withServer { server, harness, origin in
            for i in 0..<10 {
                let answer = harness.run(ClientRequest(origin: origin, target: "/200?i=\(i)", method: .get))
                guard case .success(let response) = answer, response.status == 200 else {
                    Issue.record("request \(i): \(String(describing: answer))")
                    return
                }
            }
            #expect(server.requests.count == 10)
            #expect(server.connectionCount == 1)
            #expect(harness.openConnections(to: origin) == 1)
        }
    }

    @Test func threeConcurrentRequestsShareTwoConnections() throws {
        try withServer(HTTPClientConfiguration(maxConnectionsPerOrigin: 2)) { server, harness, origin in
            let requests = (0..<3).map { ClientRequest(origin: origin, target: "/200?n=\($0)", method: .get) }
            let answers = harness.run(requests)
            #expect(answers.count == 3)
            for answer in answers {
                guard case .success(let response) = answer else {
                    Issue.record("\(answer)")
                    continue
                }
                #expect(response.status == 200)
            }
            #expect(server.connectionCount == 2)
        }
    }

    @Test func queueBeyondItsLimitIsRefusedAtOnce() throws {
        let configuration = HTTPClientConfiguration(maxConnectionsPerOrigin: 1, maxQueuedRequestsPerOrigin: 1)
        try withServer(configuration) { _, harness, origin in
            let requests = (0..<3).map { ClientRequest(origin: origin, target: "/200?n=\($0)", method: .get) }
            let answers = harness.run(requests)
            let refused = answers.filter { if case .failure(let e) = $0 { e.kind == .queueFull } else { false } }
            let answered = answers.filter { if case .success = $0 { true } else { false } }
            #expect(refused.count == 1)
            #expect(answered.count == 2)
        }
    }

    @Test func requestTimeoutFiresAndTheConnectionIsNotReused() throws {
        try withServer(HTTPClientConfiguration(requestTimeoutNanos: Self.shortTimeoutNanos)) { server, harness, origin in
            let slow = harness.run(ClientRequest(origin: origin, target: "/slow", method: .get))
            guard case .failure(let error) = slow else {
                Issue.record("expected a timeout, got \(String(describing: slow))")
                return
            }
            #expect(error.kind == .requestTimeout)
            #expect(harness.openConnections(to: origin) == 0)
            let next = harness.run(ClientRequest(origin: origin, target: "/200", method: .get))
            guard case .success(let response) = next else {
                Issue.record("expected a response, got \(String(describing: next))")
                return
            }
            #expect(response.status == 200)
            #expect(server.connectionCount == 2)
        }
    }

    @Test func serverClosingAnIdleConnectionLeavesTheNextRequestWorking() throws {
        try withServer { server, harness, origin in
            let first = harness.run(ClientRequest(origin: origin, target: "/close-idle", method: .get))
            guard case .success = first else {
                Issue.record("first: \(String(describing: first))")
                return
            }
            #expect(eventually(seconds: ClientHarness.answerSeconds) { harness.openConnections(to: origin) == 0 })
            let next = harness.run(ClientRequest(origin: origin, target: "/200", method: .get))
            guard case .success(let response) = next else {
                Issue.record("next: \(String(describing: next))")
                return
            }
            #expect(response.status == 200)
            #expect(server.connectionCount == 2)
        }
    }

    @Test func closedPortIsAConnectError() throws {
        let port: UInt16
        do {
            let server = try TestHTTPServer()
            port = server.port
            server.stop()
        }
        let harness = try ClientHarness(HTTPClientConfiguration())
        defer { harness.stop() }
        let answer = harness.run(ClientRequest(origin: ClientOrigin(scheme: .http, host: "127.0.0.1", port: port)))
        guard case .failure(let error) = answer else {
            Issue.record("expected a connect error, got \(String(describing: answer))")
            return
        }
        #expect(error.kind == .connectFailed)
        #expect(error.errno == 111)  // ECONNREFUSED
    }

    @Test func addressFilterRefusingLoopbackSendsNothing() throws {
        let filter: AddressFilter = { $0 != [127, 0, 0, 1] }
        try withServer(HTTPClientConfiguration(addressFilter: filter)) { server, harness, origin in
            let answer = harness.run(ClientRequest(origin: origin, target: "/204", body: Array("secret".utf8)))
            guard case .failure(let error) = answer else {
                Issue.record("expected a refusal, got \(String(describing: answer))")
                return
            }
            #expect(error.kind == .refusedAddress)
            #expect(error.detail.contains("127.0.0.1"))
            #expect(server.connectionCount == 0)
            #expect(server.requests.isEmpty)
        }
    }
}

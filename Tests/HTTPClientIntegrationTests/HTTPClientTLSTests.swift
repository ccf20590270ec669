// The HTTP client over TLS against the Python test server with a certificate from a test CA made at
// test time (TestPKI): a 200 when the CA file is trusted and the name matches; a TLS error naming the
// host mismatch when the certificate names another address.
import GatewayTestSupport
import HTTPClient
import TLS
import Testing

@Suite(.serialized, .enabled(if: TestHTTPServer.available && OpenSSLCLI.available, "python3 or openssl missing"))
struct HTTPClientTLSTests {
    /// Starts a TLS test server on `host`, sends one GET /200 to it with the test CA trusted.
    private func getOverTLS(host: String) throws -> (Result<ClientResponse, ClientError>?, [TestHTTPServer.Received]) {
        let pki = try TestPKI()
        defer { pki.remove() }
        let server = try TestHTTPServer(bindHost: host, pki: pki)
        defer { server.stop() }
        let harness = try ClientHarness(HTTPClientConfiguration(tls: TLSConfiguration(caFile: pki.caCertificate)))
        defer { harness.stop() }
        let origin = ClientOrigin(scheme: .https, host: host, port: server.port)
        let answer = harness.run(ClientRequest(origin: origin, target: "/200", method: .get))
        return (answer, server.requests)
    }

    @Test func httpsAnswers200WithTheTestCA() throws {
        let (answer, received) = try getOverTLS(host: "127.0.0.1")
        guard case .success(let response) = answer else {
            Issue.record("expected a response, got \(String(describing: answer))")
            return
        }
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "hello from the test server")
        #expect(received.first?.requestLine == "GET /200 HTTP/1.1\r\n")
    }

    @Test func wrongHostNameIsATLSError() throws {
        // The certificate names localhost and 127.0.0.1; this server listens on 127.0.0.2.
        let (answer, received) = try getOverTLS(host: "127.0.0.2")
        guard case .failure(let error) = answer else {
            Issue.record("expected a TLS error, got \(String(describing: answer))")
            return
        }
        #expect(error.kind == .tls)
        #expect(error.tlsError?.kind == .hostnameMismatch)
        #expect(received.isEmpty)
    }
}

// Client TLS against a real `openssl s_server`, driven through epoll readiness on a Reactor loop:
// a trusted chain with the right name (by host name with SNI, and by IP literal) echoes; the system
// store does not know the test CA; a wrong name fails the host check; a TLS 1.1-only server is
// refused by our TLS 1.2 floor. Skipped when the `openssl` CLI is missing (scripts/setup installs it).
import GatewayTestSupport
import Reactor
import Testing
import TLS

@Suite(.serialized, .enabled(if: OpenSSLCLI.available, "the openssl CLI is not installed"))
struct TLSHandshakeTests {
    /// How long one exchange may take before the test fails, in seconds.
    static let exchangeSeconds = 15.0

    /// Starts a server, runs one exchange from a loop, and returns how it ended.
    private func exchange(serverName: String, caFile: String?, serverArguments: [String] = [],
                          name: String, pki: TestPKI) throws -> EchoOutcome? {
        let server = try TLSEchoServer(pki: pki, extra: serverArguments, name: name)
        defer { server.stop() }
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stopAndWait() }
        let loop = group.loops[0]
        let context = try TLSContext(configuration: TLSConfiguration(caFile: caFile))
        let result = EchoResult()
        let address = Socket.Address(host: "127.0.0.1", port: server.port)
        loop.execute {
            TLSEchoClient.start(on: loop, address: address, serverName: serverName, context: context,
                                line: "hello tls\n", result: result)
        }
        _ = eventually(seconds: Self.exchangeSeconds) { result.outcome != nil }
        return result.outcome
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func trustedCAAndRightNameEchoes(serverName: String) throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let outcome = try exchange(serverName: serverName, caFile: pki.caCertificate, name: "ok", pki: pki)
        guard case .echoed(let line, let version) = outcome else {
            Issue.record("expected an echo, got \(String(describing: outcome))")
            return
        }
        #expect(line == "slt olleh")
        #expect(version == "TLSv1.3")
    }

    @Test func systemStoreDoesNotTrustTheTestCA() throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let outcome = try exchange(serverName: "localhost", caFile: nil, name: "system", pki: pki)
        guard case .tlsFailed(let error) = outcome else {
            Issue.record("expected a verify failure, got \(String(describing: outcome))")
            return
        }
        #expect(error.kind == .certificateVerify)
        #expect(error.verifyText == "unable to get local issuer certificate")
        #expect(error.description.hasPrefix("certificate verify failed: unable to get local issuer certificate"))
    }

    @Test func wrongHostNameFailsTheHostCheck() throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        let outcome = try exchange(serverName: "wrong.example", caFile: pki.caCertificate, name: "name", pki: pki)
        guard case .tlsFailed(let error) = outcome else {
            Issue.record("expected a hostname failure, got \(String(describing: outcome))")
            return
        }
        #expect(error.kind == .hostnameMismatch)
        #expect(error.verifyText == "hostname mismatch")
    }

    @Test func serverLimitedToTLS11IsRefused() throws {
        let pki = try TestPKI()
        defer { pki.remove() }
        // SECLEVEL=0 lets OpenSSL 3 offer TLS 1.1 at all; if this build cannot, the server exits at once.
        let limited = ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]
        let outcome: EchoOutcome?
        do {
            outcome = try exchange(serverName: "localhost", caFile: pki.caCertificate, serverArguments: limited,
                                   name: "tls11", pki: pki)
        } catch let error as IOError where error.reason.hasPrefix("s_server did not start") {
            try Test.cancel("this OpenSSL cannot run a TLS 1.1-only server: \(error.reason)")
        }
        guard case .tlsFailed(let error) = outcome else {
            Issue.record("expected the handshake to be refused, got \(String(describing: outcome))")
            return
        }
        #expect(error.kind == .handshake)
        #expect(error.detail.contains("protocol"), "OpenSSL said: \(error.detail)")
    }
}

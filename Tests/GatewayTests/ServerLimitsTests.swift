// Deadlines (with an injected clock: no sleeping), back-pressure on a client that never reads,
// max connections, disconnect of a parked request, drain.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer

@Suite struct ServerLimitsTests {
    @Test func slowlorisGets408ThenClose() throws {
        let s = try TestServer(manualClock: true)
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        #expect(eventually { s.server.bufferedInputBytes() > 0 })
        s.advance(seconds: 9)
        c.send("X-Slow: 1\r\n")
        s.advance(seconds: 2)  // 11 s since the first byte: over the 10 s request deadline
        let r = try c.readResponse()
        #expect(r.status == 408)
        #expect(r.header("content-type") == "application/problem+json")
        #expect(c.readsEOF())
    }

    @Test func idleKeepAliveClosesAfterIdleTimeout() throws {
        let s = try TestServer(manualClock: true)
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.readResponse().status == 200)
        s.advance(seconds: 74)
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  // activity moves the idle deadline
        #expect(try c.readResponse().status == 200)
        s.advance(seconds: 74)
        #expect(s.server.state.openConnections.load(ordering: .relaxed) == 1)
        s.advance(seconds: 2)
        #expect(c.readsEOF())
        #expect(eventually { s.server.state.openConnections.load(ordering: .relaxed) == 0 })
    }

    @Test func silentNewConnectionIsClosedAtTheRequestDeadline() throws {
        let s = try TestServer(manualClock: true)
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        #expect(eventually { s.server.state.openConnections.load(ordering: .relaxed) == 1 })
        s.advance(seconds: 11)
        #expect(c.readsEOF())
    }

    @Test func clientThatNeverReadsCannotGrowMemory() throws {
        let s = try TestServer { $0.maxQueuedResponseBytes = 64 * 1024; $0.maxBufferedRequestBytes = 32 * 1024 }
        defer { s.stop() }
        let c = try TestClient(port: s.port)
        let one = Array("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        var many: [UInt8] = []
        for _ in 0..<600_000 { many += one }  // 18 MB of requests (more than both kernel buffers hold) for 9.6 GB of answers
        // Push requests without ever reading, until both directions' socket buffers are full, sampling
        // what the server holds in user space meanwhile.
        _ = fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK)
        var offset = 0
        var samples: [Int] = []
        // Sampled for 1.5 s, or until everything was sent (which must not happen: checked below).
        _ = eventually(seconds: 1.5, interval: 0.02) {
            let n = many.withUnsafeBytes { Glibc.send(c.fd, $0.baseAddress! + offset, many.count - offset, Int32(MSG_NOSIGNAL)) }
            if n > 0 { offset += n }
            samples.append(s.server.queuedOutputBytes() + s.server.bufferedInputBytes())
            return offset >= many.count
        }
        #expect(offset < many.count, "the server kept reading requests it could not answer")
        let worst = samples.max() ?? 0
        #expect(worst > 0)
        #expect(worst <= 64 * 1024 + 16 * 1024 + 200 + 32 * 1024 + 64 * 1024, "held \(worst) bytes")
        #expect(s.server.requestsDispatched() < 600_000)
        Glibc.shutdown(c.fd, Int32(SHUT_RDWR))
    }

    @Test func connectionsPastTheLimitAreRefusedOthersKeepWorking() throws {
        let s = try TestServer { $0.maxConnections = 2 }
        defer { s.stop() }
        let a = try TestClient(port: s.port), b = try TestClient(port: s.port)
        a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        b.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try a.readResponse().status == 200)
        #expect(try b.readResponse().status == 200)
        let third = try TestClient(port: s.port)
        #expect(third.readsEOF())
        #expect(s.server.state.refusedConnections.load(ordering: .relaxed) == 1)
        a.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try a.readResponse().status == 200)
    }

    @Test func parkedRequestIsCancelledWhenTheClientLeaves() throws {
        let s = try TestServer()
        defer { s.stop() }
        var clients: [TestClient] = []
        for _ in 0..<50 {
            let c = try TestClient(port: s.port)
            c.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n")
            clients.append(c)
        }
        #expect(eventually { s.server.requestsDispatched() == 50 }, "served \(s.server.requestsDispatched()) open \(s.server.state.openConnections.load(ordering: .relaxed))")
        #expect(s.parkedCancels.count == 0)
        for c in clients { Glibc.shutdown(c.fd, Int32(SHUT_WR)) }
        #expect(eventually(seconds: 1) { s.parkedCancels.count == 50 })
        #expect(eventually(seconds: 1) { s.server.state.openConnections.load(ordering: .relaxed) == 0 })
    }

    @Test func drainTurnsReadinessOffAndClosesIdleConnections() throws {
        let s = try TestServer()
        defer { s.stop() }
        let idle = try TestClient(port: s.port)
        idle.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try idle.readResponse().status == 200)
        let parked = try TestClient(port: s.port)
        parked.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { s.server.requestsDispatched() == 2 })
        s.server.drain()
        #expect(idle.readsEOF())
        #expect(s.isReady == false)
        let late = try? TestClient(port: s.port)
        #expect(late?.readsEOF() ?? true)
    }
}

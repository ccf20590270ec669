// A node started and stopped in-process gives back every descriptor it opened: listeners, client
// connections, Redis command and subscriber connections, each loop's epoll and eventfd.
import GatewayTestSupport
import Foundation
import Testing
@testable import Gateway
import HTTPServer
import RedisStore

@Suite struct NodeLifecycleTests {
    static func openFDs() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    @Test func stoppingANodeClosesEverythingItOpened() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("life-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redis = try EmbeddedRedis.start(stateDir: dir)
        defer { redis.stop() }
        let config = NodeHarness.config(redisURL: redis.url, threads: 2, stateDir: dir)
        // Warm-up cycle: one-time allocations (thread pools, caches) are not leaks.
        do {
            let node = try GatewayNode.start(config)
            #expect(eventually { node.isReady })
            await node.shutdown()
        }
        let before = Self.openFDs()
        for _ in 0..<3 {
            let node = try GatewayNode.start(config)
            #expect(eventually { node.isReady })
            let c = try TestClient(port: node.server.port)
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
            await node.shutdown()
        }
        // Other suites run serially (scripts/test), so the process's fd count is ours to compare.
        #expect(eventually { Self.openFDs() <= before }, "open fds \(before) -> \(Self.openFDs())")
    }
}

// The node as a service: building it starts nothing (no descriptor opened, nothing listening); `run()`
// starts it and returns only after `requestShutdown()` has drained it; shutdown in reverse start order
// closes what start opened, and the node never answers after its listeners are gone.
import Foundation
import GatewayTestSupport
import Testing
@testable import Gateway
import HTTPServer
import RedisStore

@Suite struct NodeServiceTests {
    @Test func buildingStartsNothingAndRunReturnsAfterRequestShutdown() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redis = try EmbeddedRedis.start(stateDir: dir)
        defer { redis.stop() }
        var config = NodeHarness.config(redisURL: redis.url, threads: 2, stateDir: dir)
        config.graceSeconds = 5

        let before = NodeLifecycleTests.openFDs()
        let node = GatewayNode(config)
        #expect(NodeLifecycleTests.openFDs() == before, "building a node opened descriptors")

        let finished = Counter()
        let run = Task {
            let clean = try await node.run()
            finished.increment()
            return clean
        }
        #expect(eventually { finished.count == 0 && node.isReady }, "run() starts the node and keeps running")
        let port = node.server.port
        do {
            let c = try TestClient(port: port)
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try c.readResponse().status == 200)
        }
        #expect(finished.count == 0)

        node.requestShutdown()
        let clean = try await run.value
        #expect(clean, "every connection finished within the grace period")
        #expect(finished.count == 1)
        #expect((try? TestClient(port: port))?.readsEOF() ?? true, "nothing listens after run() returned")
        #expect(eventually { NodeLifecycleTests.openFDs() <= before }, "open fds \(before) -> \(NodeLifecycleTests.openFDs())")
    }
}

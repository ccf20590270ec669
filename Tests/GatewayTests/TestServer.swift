// Starts a real GatewayServer on 127.0.0.1 port 0 with a test router, for socket-level tests.
import Foundation
import GatewayTestSupport
@testable import Gateway
import HTTPServer
import HTTP1
import Reactor

final class TestServer: Sendable {
    let server: HTTPServer
    let clock: ManualClock?
    let parkedCancels: Counter
    let health: NodeHealth

    init(threads: Int = 1, manualClock: Bool = false, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var config = ServerConfiguration()
        config.listen = Socket.Address(host: "127.0.0.1", port: 0)
        config.threads = threads
        configure(&config)
        let clock = manualClock ? ManualClock() : nil
        let group = try EventLoopGroup(count: threads, clock: clock ?? MonotonicClock())
        let state = ServerState()
        let health = NodeHealth(server: state)
        health.redisReady.store(true, ordering: .relaxed)
        self.health = health
        let cancels = Counter()
        self.parkedCancels = cancels
        var router = Router()
        router.add(.get, "/healthz", HealthHandler())
        router.add(.get, "/readyz", ReadyHandler(health: health))
        router.add(.post, "/echo", ClosureHandler { req, res in
            res.respond(HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: .bytes(req.body)))
        })
        router.add(.get, "/items/{id}/detail", ClosureHandler { req, res in
            res.respond(.text(200, "item=\(req.parameter("id") ?? "")"))
        })
        router.add(.get, "/big", ClosureHandler { _, res in
            res.respond(HTTPResponse(status: 200, body: .bytes([UInt8](repeating: 65, count: 16 * 1024))))
        })
        router.add(.get, "/park", ClosureHandler { _, res in
            res.onCancel { cancels.increment() }
        })
        self.clock = clock
        let stats = NodeStats(loops: group.loops)
        let cors = CORSPolicy(origins: config.corsOrigins)
        let app = config
        self.server = HTTPServer(configuration: config.httpServer, group: group, state: state) { [router] loop in
            GatewayApplication(router: router, cors: cors, stats: stats.on(loop.index), clock: loop.clock, accessLog: app.accessLog,
                               trustedProxies: app.trustedProxies)
        }
        try server.start()
        group.start()
    }

    var port: UInt16 { server.port }
    var isReady: Bool { health.isReady }

    /// Moves the manual clock and wakes every loop so due timers run.
    func advance(seconds: Double) {
        clock?.advance(by: UInt64(seconds * 1e9))
        for loop in server.group.loops { loop.execute {} }
    }

    func stop() { server.stopNow() }
}

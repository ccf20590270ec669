// Per-loop state owned by one loop thread: its connections (for drain), a Date header cached once
// per second, and the hooks the server runs when the node drains.
import Glibc
import HTTP1
import Reactor

/// What one loop's connections share. Loop thread only.
public final class LoopContext {
    /// The loop.
    public let loop: EventLoop
    /// Node configuration.
    public let configuration: ServerConfiguration
    /// Node-wide counters.
    public let state: ServerState
    /// The routes.
    let router: Router
    /// CORS allow-list (from `--cors-origins`).
    let cors: CORSPolicy
    /// This loop's statistics.
    let stats: LoopStats
    var connections: [ObjectIdentifier: Connection] = [:]
    /// Where fan-out answers are assembled before their single send.
    let scratch = AnswerScratch()
    var acceptor: Acceptor?
    /// Requests dispatched on this loop (per-loop: no shared cache line on the hot path).
    var requestsDispatched = 0
    private var dateSecond: Int = -1
    private var dateText = ""

    init(loop: EventLoop, configuration: ServerConfiguration, state: ServerState, router: Router, stats: LoopStats) {
        self.stats = stats
        self.loop = loop
        self.configuration = configuration
        self.state = state
        self.router = router
        self.cors = CORSPolicy(origins: configuration.corsOrigins)
    }

    /// The IMF-fixdate for now, refreshed at most once per second.
    var dateHeaderValue: String {
        let now = time(nil)
        if now != dateSecond {
            dateSecond = now
            dateText = HTTPDate.imfFixdate(unixSeconds: now)
        }
        return dateText
    }

    /// Starts draining this loop's connections: idle ones close now, busy ones after their answer.
    func drain() {
        for conn in Array(connections.values) { conn.drain() }
    }
}

// /metrics in the Prometheus text format (0.0.4). Gauges and counters are read from per-loop and
// node-wide atomics at scrape time; the hot path takes no lock for them.
import Throttle

/// Prometheus exposition of the node's counters.
public struct MetricsHandler: HTTPHandler {
    let state: ServerState
    let longPoll: LongPollService?
    let throttle: ThrottleService?

    public init(state: ServerState, longPoll: LongPollService?, throttle: ThrottleService? = nil) {
        self.state = state
        self.longPoll = longPoll
        self.throttle = throttle
    }

    public func handle(_ request: Request, _ responder: Responder) {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("gateway_open_connections", "gauge", "Open client connections.", state.openConnections.load(ordering: .relaxed))
        metric("gateway_refused_connections_total", "counter", "Connections closed at accept because max connections was reached.", state.refusedConnections.load(ordering: .relaxed))
        metric("gateway_parked_polls", "gauge", "Long-polls currently parked on this node.", longPoll?.parkedCount ?? 0)
        metric("gateway_redis_up", "gauge", "1 when every loop's Redis connection is up.", state.redisReady.load(ordering: .relaxed) ? 1 : 0)
        metric("gateway_draining", "gauge", "1 while the node drains.", state.draining.load(ordering: .relaxed) ? 1 : 0)
        if let t = throttle {
            out += "# HELP gateway_throttle_decisions_total Throttle decisions by route class and outcome.\n# TYPE gateway_throttle_decisions_total counter\n"
            for rc in RouteClass.allCases {
                for k in ThrottleCounters.Kind.allCases {
                    out += "gateway_throttle_decisions_total{class=\"\(rc.rawValue)\",outcome=\"\(k.name)\"} \(t.count(rc, k))\n"
                }
            }
        }
        responder.respond(.text(200, out, contentType: "text/plain; version=0.0.4; charset=utf-8"))
    }
}

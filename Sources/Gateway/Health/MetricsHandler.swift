// /metrics in the Prometheus text format (0.0.4). Per-loop statistics are gathered from every loop
// through its task queue and merged (the hot path takes no lock); gauges come from atomics.
import HTTPServer
import Reactor
import RedisStore
import Throttle

/// Prometheus exposition of the node's metrics.
public struct MetricsHandler: HTTPHandler {
    let health: NodeHealth
    let stats: NodeStats
    let longPoll: LongPollService?
    let throttle: ThrottleService?
    /// Where the webhook backlog gauges are read (nil: not shown).
    let redis: RedisClient?

    public init(health: NodeHealth, stats: NodeStats, longPoll: LongPollService?, throttle: ThrottleService? = nil, redis: RedisClient? = nil) {
        self.health = health
        self.stats = stats
        self.longPoll = longPoll
        self.throttle = throttle
        self.redis = redis
    }

    public func handle(_ request: Request, _ responder: Responder) {
        let loop = request.loop
        let box = LoopBound(responder, loop: loop)
        stats.gather(replyOn: loop) { [self] snapshot in
            let answer = { (backlog: WebhookBacklog?) in
                box.value.respond(.text(200, render(snapshot) + (backlog?.lines ?? ""), contentType: "text/plain; version=0.0.4; charset=utf-8"))
            }
            guard let redis else { return answer(nil) }
            // Redis unreachable: the scrape still answers, without the backlog gauges.
            WebhookBacklog.read(redis.connection(on: loop), answer)
        }
    }

    func render(_ s: StatsSnapshot) -> String {
        var out = ""
        func head(_ name: String, _ type: String, _ help: String) { out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" }
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int) {
            head(name, type, help)
            out += "\(name) \(value)\n"
        }
        head("gateway_http_requests_total", "counter", "Answered requests by route and status code.")
        for (k, v) in s.requests.sorted(by: { ($0.key.route, $0.key.code) < ($1.key.route, $1.key.code) }) {
            out += "gateway_http_requests_total{route=\"\(k.route)\",code=\"\(k.code)\"} \(v)\n"
        }
        head("gateway_http_request_duration_seconds", "histogram", "Time from a complete request to its answer (long-polls include the wait).")
        for (route, h) in s.durations.sorted(by: { $0.key < $1.key }) {
            out += h.lines("gateway_http_request_duration_seconds", labels: "route=\"\(route)\"")
        }
        metric("gateway_open_connections", "gauge", "Open client connections.", health.server.openConnections.load(ordering: .relaxed))
        metric("gateway_refused_connections_total", "counter", "Connections closed at accept because max connections was reached.", health.server.refusedConnections.load(ordering: .relaxed))
        metric("gateway_parked_polls", "gauge", "Long-polls currently parked on this node.", longPoll?.parkedCount ?? 0)
        head("gateway_wake_fanout_seconds", "histogram", "From a room-change notice reaching the node to the last parked poll of a loop answered.")
        out += s.wakeFanout.lines("gateway_wake_fanout_seconds")
        head("gateway_redis_command_duration_seconds", "histogram", "Redis command round trips (pipelined) from the gateway's command connections.")
        out += s.redis.lines("gateway_redis_command_duration_seconds")
        metric("gateway_redis_errors_total", "counter", "Redis commands that failed in transport (not connected, timeout, disconnect).", s.redisErrors)
        metric("gateway_redis_up", "gauge", "1 when every loop's Redis connection is up.", health.redisReady.load(ordering: .relaxed) ? 1 : 0)
        metric("gateway_draining", "gauge", "1 while the node drains (after SIGTERM).", health.server.notReady.load(ordering: .relaxed) ? 1 : 0)
        metric("gateway_events_emitted_total", "counter", "Outbound events appended to the stream by client facts.", s.eventsEmitted)
        metric("gateway_event_duplicates_total", "counter", "Client facts answered as duplicates (nothing emitted).", s.eventDuplicates)
        head("gateway_webhook_attempts_total", "counter", "Webhook delivery attempts from this node by how they were settled.")
        for outcome in ["delivered", "retry", "dead", "gone"] {
            out += "gateway_webhook_attempts_total{outcome=\"\(outcome)\"} \(s.webhookAttempts[outcome, default: 0])\n"
        }
        head("gateway_webhook_attempt_duration_seconds", "histogram", "From a webhook attempt's start to its answer or failure (this node).")
        out += s.webhookAttemptDuration.lines("gateway_webhook_attempt_duration_seconds")
        if let t = throttle {
            head("gateway_throttle_decisions_total", "counter", "Throttle decisions by route class and outcome.")
            for rc in RouteClass.allCases {
                for k in ThrottleCounters.Kind.allCases {
                    out += "gateway_throttle_decisions_total{class=\"\(rc.rawValue)\",outcome=\"\(k.name)\"} \(t.count(rc, k))\n"
                }
            }
        }
        return out
    }
}

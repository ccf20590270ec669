// The webhook backlog as Redis holds it, for /metrics: one read-only script, so the figures are of one
// moment. Cluster-wide (every node shows the same): deliveries not yet done and the age of the oldest,
// stream entries not yet fanned out (the consumer group's lag), dead letters, subscriptions and how
// many are disabled. Read at scrape time on the scraping loop's connection; a failed read leaves the
// gauges out of that scrape.
import RedisStore

/// One reading of the backlog.
struct WebhookBacklog: Equatable, Sendable {
    /// Deliveries made and not yet delivered or dead.
    var pendingDeliveries: Int
    /// Age of the oldest of them, seconds (0 when none).
    var oldestPendingSeconds: Double
    /// Stream entries the `webhooks` group has not read yet (nil when Redis does not know).
    var streamLagEntries: Int?
    /// Entries in the dead-letter stream.
    var deadLetters: Int
    var subscriptions: Int
    var disabledSubscriptions: Int

    /// KEYS[1] due, KEYS[2] created, KEYS[3] dead letters, KEYS[4] ids, KEYS[5] event stream.
    /// ARGV[1] subscription hash prefix, ARGV[2] group. Returns {pending, oldest created ms or "", dead,
    /// subscriptions, disabled, lag or -1, now ms}.
    static let script = RedisScript(name: "webhook_backlog", source: """
        local pending = redis.call('ZCARD', KEYS[1])
        local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        local dead = redis.call('XLEN', KEYS[3])
        local ids = redis.call('SMEMBERS', KEYS[4])
        local disabled = 0
        for _, id in ipairs(ids) do
          local r = redis.call('HGET', ARGV[1] .. id, 'disabled_reason')
          if r and r ~= '' then disabled = disabled + 1 end
        end
        local lag = -1
        local groups = redis.pcall('XINFO', 'GROUPS', KEYS[5])
        if type(groups) == 'table' and not groups.err then
          for _, g in ipairs(groups) do
            local f = {}
            for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
            if f['name'] == ARGV[2] and type(f['lag']) == 'number' then lag = f['lag'] end
          end
        end
        local t = redis.call('TIME')
        return {pending, oldest[2] or '', dead, #ids, disabled, lag, t[1] * 1000 + math.floor(t[2] / 1000)}
        """)

    /// Reads the backlog on `connection`.
    static func read(_ connection: RedisConnection, stream: String = EventKeys.stream, _ done: @escaping (WebhookBacklog?) -> Void) {
        let keys = [WebhookQueueKeys.due, WebhookQueueKeys.created, WebhookQueueKeys.dead, WebhookQueueKeys.ids, stream]
        connection.evalScript(script, keys: keys, args: [WebhookQueueKeys.subscriptionPrefix, WebhookQueueKeys.consumerGroup]) { result in
            guard case .success(let reply) = result, let parts = reply.array, parts.count == 7,
                  let pending = parts[0].integer, let dead = parts[2].integer, let subs = parts[3].integer,
                  let disabled = parts[4].integer, let lag = parts[5].integer, let now = parts[6].integer else { return done(nil) }
            let oldest = parts[1].string.flatMap { Double($0) }
            done(WebhookBacklog(pendingDeliveries: Int(pending), oldestPendingSeconds: oldest.map { max(0, (Double(now) - $0) / 1000) } ?? 0,
                                streamLagEntries: lag >= 0 ? Int(lag) : nil, deadLetters: Int(dead), subscriptions: Int(subs),
                                disabledSubscriptions: Int(disabled)))
        }
    }

    /// The gauges in the Prometheus text format.
    var lines: String {
        var out = ""
        func gauge(_ name: String, _ help: String, _ value: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        gauge("gateway_webhook_pending_deliveries", "Webhook deliveries not yet delivered or dead (all nodes).", String(pendingDeliveries))
        gauge("gateway_webhook_oldest_pending_age_seconds", "Age of the oldest pending webhook delivery (0 when none).",
              format3(oldestPendingSeconds))
        if let lag = streamLagEntries {
            gauge("gateway_webhook_stream_lag_entries", "Events in wg:events the webhook consumer group has not read yet.", String(lag))
        }
        gauge("gateway_webhook_dead_letters", "Entries in the dead-letter stream wg:webhooks:dead.", String(deadLetters))
        gauge("gateway_webhook_subscriptions", "Webhook subscriptions.", String(subscriptions))
        gauge("gateway_webhook_disabled_subscriptions", "Webhook subscriptions disabled (gone, failing or manual).", String(disabledSubscriptions))
        return out
    }

    private func format3(_ v: Double) -> String { String(Double(Int(v * 1000)) / 1000) }
}

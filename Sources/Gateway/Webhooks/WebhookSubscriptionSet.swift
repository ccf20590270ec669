// The node's view of the webhook subscriptions: every subscription read from Redis (the index set, then
// each hash, pipelined on one connection), replaced whole on each reload. The runner reloads on every
// change notice and on a timer, so a change made on any node is in force everywhere within the reload
// period. A hash that does not decode (corrupt or half-written) is left out: nothing is sent to it.
import RedisStore

/// Subscriptions by id, as last read (runner loop only).
final class WebhookSubscriptionSet {
    private(set) var byID: [String: WebhookSubscription] = [:]
    /// When the set was last read completely (nil: never).
    private(set) var loadedAtMillis: Int64?
    private let settings: WebhookSettings

    init(settings: WebhookSettings) { self.settings = settings }

    /// The enabled subscriptions whose filter takes `hook`, in id order.
    func matching(_ hook: String) -> [WebhookSubscription] {
        byID.values.filter { $0.enabled && $0.events.matches(hook) }.sorted { $0.id < $1.id }
    }

    /// Marks `id` disabled at once (this node has just disabled it in Redis); the next reload confirms it.
    func markDisabled(_ id: String, _ reason: WebhookSubscription.DisabledReason) {
        byID[id]?.disabledReason = reason
    }

    /// Reads every subscription; `done(true)` once the set was replaced, `done(false)` on a failure (the
    /// previous set stays).
    func reload(_ connection: RedisConnection, nowMillis: Int64, _ done: @escaping (Bool) -> Void) {
        connection.send(RedisCommand(["SMEMBERS", WebhookQueueKeys.ids])) { [self] result in
            guard case .success(let reply) = result, let items = reply.array else { return done(false) }
            let ids = items.compactMap(\.string).sorted()
            guard !ids.isEmpty else {
                byID = [:]
                loadedAtMillis = nowMillis
                return done(true)
            }
            var read: [String: WebhookSubscription] = [:]
            var remaining = ids.count, failed = false
            for id in ids {
                connection.send(RedisCommand(["HGETALL", WebhookQueueKeys.subscription(id)])) { [self] result in
                    remaining -= 1
                    if case .success(let reply) = result, let flat = reply.array {
                        var fields: [String: String] = [:]
                        var i = 0
                        while i + 1 < flat.count {
                            if let k = flat[i].string, let v = flat[i + 1].string { fields[k] = v }
                            i += 2
                        }
                        if let sub = WebhookSubscription(redisFields: fields, settings: settings), sub.id == id { read[id] = sub }
                    } else {
                        failed = true
                    }
                    guard remaining == 0 else { return }
                    if failed { return done(false) }
                    byID = read
                    loadedAtMillis = nowMillis
                    done(true)
                }
            }
        }
    }
}

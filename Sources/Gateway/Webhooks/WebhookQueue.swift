// API: the webhook delivery queue in Redis, for one node on one loop's connection. Every call is one
// script (`WebhookQueueScripts`): fan a stream entry, or a whole read batch, out to its subscriptions (and
// acknowledge it), claim due deliveries under a lease, renew the leases of deliveries in flight, settle an
// attempt. Nothing about a delivery lives only in the node: kill it at any moment and its leases run out,
// then another node claims the deliveries. Times are Redis's clock; delays and leases are milliseconds.
import RedisStore

/// One delivery a node holds.
struct ClaimedDelivery: Equatable, Sendable {
    /// The `due` member (`<sub>|<event>`).
    let member: String
    let subscriptionID: String
    let eventID: String
    /// The hook name (`type` of the envelope).
    let type: String
    /// The envelope body, sent byte for byte on every attempt.
    let body: [UInt8]
    /// Failed attempts so far.
    let attempts: Int
}

/// How an attempt ended, as the queue records it.
enum DeliveryOutcome: Equatable, Sendable {
    case delivered
    /// Try again after `delayMillis`.
    case retry(delayMillis: Int64)
    /// No attempt left: to the dead letters.
    case dead
    /// The receiver said 410 Gone: to the dead letters, and the subscription is disabled.
    case gone

    var word: String {
        switch self {
        case .delivered: "delivered"
        case .retry: "retry"
        case .dead: "dead"
        case .gone: "gone"
        }
    }
}

/// The delivery queue of one node.
struct WebhookQueue {
    let connection: RedisConnection
    /// This node's name in leases.
    let nodeID: String
    /// How long a claimed delivery stays with this node without a renewal.
    let leaseMillis: Int64
    /// Approximate length the dead-letter stream is trimmed to.
    let deadLetterMaxLength: Int
    /// A subscription failing this long without a success is disabled (`failing`), ms.
    var disableAfterMillis: Int64 = WebhookSettings().disableAfterMillis
    /// The event stream `webhook_endpoint_disabled` goes to, and its approximate length.
    var eventStream = EventKeys.stream
    var eventStreamMaxLength = EventSettings().streamMaxLength
    /// Stamps of the `webhook_endpoint_disabled` event (its id and `emitted_at`).
    var environment = EventEnvironment.system

    /// Turns one stream entry into deliveries for `subscriptions` and acknowledges the entry.
    func fanOut(stream: String, entryID: String, eventID: String, type: String, body: [UInt8], subscriptions: [String],
                _ done: @escaping (Result<Int, RedisError>) -> Void) {
        let keys = [WebhookQueueKeys.due, stream, WebhookQueueKeys.created] + subscriptions.map { WebhookQueueKeys.delivery(sub: $0, event: eventID) }
        let args = [WebhookQueueKeys.consumerGroup, entryID, eventID, type, String(decoding: body, as: UTF8.self)] + subscriptions
        connection.evalScript(WebhookQueueScripts.fanout, keys: keys, args: args) { result in
            done(result.flatMap { reply in reply.integer.map { .success(Int($0)) } ?? .failure(.protocolError) })
        }
    }

    /// One stream entry of a batch fan-out: its ids, the envelope, and the subscriptions it goes to
    /// (none for a malformed entry, which is only acknowledged).
    struct FanOutItem {
        let entryID: String
        let eventID: String
        let type: String
        let body: [UInt8]
        let subscriptions: [String]
    }

    /// `fanOut` for a whole batch in one script; every entry is acknowledged, or none (on failure).
    func fanOut(stream: String, _ items: [FanOutItem], _ done: @escaping (Result<Int, RedisError>) -> Void) {
        var keys = [WebhookQueueKeys.due, stream, WebhookQueueKeys.created]
        var args = [WebhookQueueKeys.consumerGroup, String(items.count)]
        for item in items {
            keys += item.subscriptions.map { WebhookQueueKeys.delivery(sub: $0, event: item.eventID) }
            args += [item.entryID, item.eventID, item.type, String(decoding: item.body, as: UTF8.self), String(item.subscriptions.count)]
            args += item.subscriptions
        }
        connection.evalScript(WebhookQueueScripts.fanoutBatch, keys: keys, args: args) { result in
            done(result.flatMap { reply in reply.integer.map { .success(Int($0)) } ?? .failure(.protocolError) })
        }
    }

    /// Leases up to `limit` due deliveries to this node.
    func claim(limit: Int, _ done: @escaping (Result<[ClaimedDelivery], RedisError>) -> Void) {
        connection.evalScript(WebhookQueueScripts.claim, keys: [WebhookQueueKeys.due, WebhookQueueKeys.created],
                              args: [nodeID, String(limit), String(leaseMillis), WebhookQueueKeys.deliveryPrefix]) { result in
            done(result.flatMap { reply in
                guard let parts = reply.array, parts.count % 6 == 0 else { return .failure(.protocolError) }
                var out: [ClaimedDelivery] = []
                var i = 0
                while i < parts.count {
                    guard let member = parts[i].string, let sub = parts[i + 1].string, let event = parts[i + 2].string,
                          let type = parts[i + 3].string, let body = parts[i + 4].bytes else { return .failure(.protocolError) }
                    let attempts = parts[i + 5].string.flatMap { Int($0) } ?? 0
                    out.append(ClaimedDelivery(member: member, subscriptionID: sub, eventID: event, type: type, body: body, attempts: attempts))
                    i += 6
                }
                return .success(out)
            })
        }
    }

    /// Renews this node's leases on `members` (deliveries in flight). Returns how many it still holds.
    func renew(_ members: [String], _ done: @escaping (Result<Int, RedisError>) -> Void) {
        guard !members.isEmpty else { return done(.success(0)) }
        let args = [nodeID, String(leaseMillis), WebhookQueueKeys.deliveryPrefix] + members
        connection.evalScript(WebhookQueueScripts.renew, keys: [WebhookQueueKeys.due], args: args) { result in
            done(result.flatMap { reply in reply.integer.map { .success(Int($0)) } ?? .failure(.protocolError) })
        }
    }

    /// Records how an attempt on `delivery` ended. Returns false when another node holds it now.
    func settle(_ delivery: ClaimedDelivery, _ outcome: DeliveryOutcome, status: Int?, error: String?,
                _ done: @escaping (Result<Bool, RedisError>) -> Void) {
        var delay: Int64 = 0
        if case .retry(let d) = outcome { delay = max(0, d) }
        let keys = [WebhookQueueKeys.due, WebhookQueueKeys.delivery(sub: delivery.subscriptionID, event: delivery.eventID),
                    WebhookQueueKeys.subscription(delivery.subscriptionID), WebhookQueueKeys.dead, eventStream, WebhookQueueKeys.created]
        let args = [delivery.member, nodeID, outcome.word, String(delay), status.map(String.init) ?? "", error ?? "", String(deadLetterMaxLength),
                    // Stamps of a `webhook_endpoint_disabled` only a failure can cause: not made for a delivery.
                    String(disableAfterMillis), outcome == .delivered ? "" : environment.newEventID(),
                    outcome == .delivered ? "" : environment.now(), String(eventStreamMaxLength),
                    WebhookQueueKeys.changed]
        connection.evalScript(WebhookQueueScripts.settle, keys: keys, args: args) { result in
            done(result.flatMap { reply in reply.integer.map { .success($0 == 1) } ?? .failure(.protocolError) })
        }
    }
}

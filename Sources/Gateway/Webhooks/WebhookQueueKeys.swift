// Key names of webhook delivery (contract §5), in one place. Node-wide keys today (one Redis primary);
// Redis Cluster (issue 14) will put them under partition tags.
//   wg:webhooks:due           ZSET  member "<sub_id>|<event_id>", score = Redis-clock ms when it is next
//                                   due (while a node holds it: when its lease ends)
//   wg:webhooks:d:<sub>:<evt> HASH  one delivery: sub, event_id, type, body, attempts, created_at,
//                                   holder, last_status, last_error
//   wg:webhooks:dead          STREAM the dead letters: sub, event_id, attempts, last_status, last_error,
//                                   dead_at, type, body
//   wg:webhooks:sub:<sub>     HASH  the subscription (WebhookSubscription+Redis; its counters
//                                   `delivered`, `failed`, `dead`, `last_success_at` and a 410's
//                                   `disabled_reason` are written by the settle script)
//   wg:webhooks:ids           SET   every subscription id
//   wg:webhooks:changed       PUB/SUB a subscription changed: every node re-reads them

/// Redis keys of the webhook delivery queue.
enum WebhookQueueKeys {
    static let due = "wg:webhooks:due"
    static let dead = "wg:webhooks:dead"
    static let consumerGroup = "webhooks"
    static let ids = "wg:webhooks:ids"
    static let changedChannel = "wg:webhooks:changed"

    /// Prefix of the delivery records (the claim and renew scripts build `<prefix><sub>:<event>` from a member).
    static let deliveryPrefix = "wg:webhooks:d:"

    /// One delivery's record.
    static func delivery(sub: String, event: String) -> String { deliveryPrefix + sub + ":" + event }

    /// The member of `due` for one delivery.
    static func member(sub: String, event: String) -> String { sub + "|" + event }

    /// A subscription's hash.
    static func subscription(_ id: String) -> String { "wg:webhooks:sub:\(id)" }
}

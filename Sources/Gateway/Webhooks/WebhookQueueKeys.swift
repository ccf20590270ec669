// Key names of webhook delivery (contract §5), in one place. Node-wide keys today (one Redis primary);
// Redis Cluster (issue 14) will put them under partition tags.
//   wg:webhooks:due           ZSET  member "<sub_id>|<event_id>", score = Redis-clock ms when it is next
//                                   due (while a node holds it: when its lease ends)
//   wg:webhooks:created       ZSET  the same members, score = Redis-clock ms the delivery was made (the
//                                   backlog's oldest; kept by the same scripts as `due`)
//   wg:webhooks:d:<sub>:<evt> HASH  one delivery: sub, event_id, type, body, attempts, created_at,
//                                   holder, last_status, last_error
//   wg:webhooks:dead          STREAM the dead letters: sub, event_id, attempts, last_status, last_error,
//                                   dead_at, type, body
//   wg:webhooks:sub:<sub>     HASH  the subscription (WebhookSubscription+Redis; its counters
//                                   `delivered`, `failed`, `dead`, `last_success_at` and a 410's
//                                   `disabled_reason` are written by the settle script)
//   wg:webhooks:ids           SET   every subscription id (WebhookStore keeps it with the hashes)
//   wg:webhooks:changed       PUBSUB channel: a subscription id, published on every change

/// Redis keys of the webhook delivery queue.
enum WebhookQueueKeys {
    static let due = "wg:webhooks:due"
    /// Undelivered deliveries by creation time (for the backlog's age).
    static let created = "wg:webhooks:created"
    static let dead = "wg:webhooks:dead"
    static let consumerGroup = "webhooks"
    /// The index of subscription ids.
    static let ids = "wg:webhooks:ids"
    /// The change-notice channel (message: the subscription id).
    static let changed = "wg:webhooks:changed"
    /// Prefix of the subscription hashes.
    static let subscriptionPrefix = "wg:webhooks:sub:"

    /// Prefix of the delivery records (the claim and renew scripts build `<prefix><sub>:<event>` from a member).
    static let deliveryPrefix = "wg:webhooks:d:"

    /// One delivery's record.
    static func delivery(sub: String, event: String) -> String { deliveryPrefix + sub + ":" + event }

    /// The member of `due` for one delivery.
    static func member(sub: String, event: String) -> String { sub + "|" + event }

    /// A subscription's hash.
    static func subscription(_ id: String) -> String { subscriptionPrefix + id }
}

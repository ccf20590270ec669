// The ONE list of Redis keys the gateway keeps without a TTL, each with why it stays bounded anyway
// (issue 16 item 6). Every other key the gateway writes carries a TTL set by the script that writes it:
//   wg:{w:<id>}:room, :s:<session>, :leads, :entered   `EventSettings.roomTTLSeconds` after the last change
//   wg:{w:<id>}:attendance:job                          room TTL while pending, `AttendanceSettings.doneJobTTLSeconds` once done
//   wg:{w:<id>}:attendance:lease                        `AttendanceSettings.leaseMillis` (renewed per batch)
//   wg:{w:<id>}:once:<fact>:<subject>, wg:core:evt:<id> `EventSettings.onceMarkTTLSeconds`
//   wg:{w:<id>}:idem:<session>:<key>                    `EventSettings.idempotencyTTLSeconds`
//   wg:aw:{u:<user>}:<ref>                              `EventSettings.autoSessionTTLSeconds` after the last write
//   wg:tb:<class>:u:<sub>, wg:tb:<class>:s:<session>    the bucket TTL (Throttle: 1/2 to 1 x, >= 2 x refill time)
// docs/operations.md §10 shows the same table to operators; the key inventory test
// (GatewayIntegrationTests/KeyInventoryTests) fails on any key that has no TTL and is not listed here.
import Throttle

/// The Redis keys that live without a TTL, by design.
public enum PermanentKeys {
    /// One family of permanent keys.
    public struct Family: Sendable {
        /// The key name, or a prefix followed by `*`.
        public let pattern: String
        /// The Redis type.
        public let type: String
        /// What bounds it instead of a TTL.
        public let bound: String

        /// True when `key` is this family's key (or starts with its prefix, for a `*` pattern).
        public func matches(_ key: String) -> Bool {
            pattern.hasSuffix("*") ? key.hasPrefix(pattern.dropLast()) : key == pattern
        }
    }

    /// Every family, in the order docs/operations.md lists them.
    public static let families: [Family] = [
        Family(pattern: EventKeys.stream, type: "stream", bound: "trimmed to about --stream-max-length entries (XADD MAXLEN ~)"),
        Family(pattern: EventKeys.attendancePending, type: "set", bound: "webinars with a pending attendance job; each leaves when its job is done"),
        Family(pattern: ThrottleKeys.limits, type: "hash", bound: "the operators' throttle limits: three route classes"),
        Family(pattern: WebhookQueueKeys.ids, type: "set", bound: "the webhook subscription ids; one per subscription"),
        Family(pattern: WebhookQueueKeys.subscriptionPrefix + "*", type: "hash", bound: "a webhook subscription; until DELETE /v1/admin/webhooks/{id}"),
        Family(pattern: WebhookQueueKeys.due, type: "zset", bound: "undelivered deliveries; a member leaves when its delivery is settled"),
        Family(pattern: WebhookQueueKeys.created, type: "zset", bound: "the same members as wg:webhooks:due"),
        Family(pattern: WebhookQueueKeys.deliveryPrefix + "*", type: "hash", bound: "one delivery; deleted when settled (delivered, dead or gone): lives at most the retry schedule"),
        Family(pattern: WebhookQueueKeys.dead, type: "stream", bound: "dead letters, trimmed to about 100,000 entries"),
    ]

    /// The family `key` belongs to, or nil when the key must carry a TTL.
    public static func family(of key: String) -> Family? { families.first { $0.matches(key) } }
}

// A subscription as the admin API and the CLI show it (contract §5): `id`, `url`, `events`,
// `description`, `enabled`, `disabled_reason` (null | "gone" | "failing" | "manual"), `created_at`
// (ISO-8601 UTC), counters `delivered`, `failed`, `dead`; the `secret` only when asked for (create,
// rotation). Times are rendered by WallClock; nothing else of the subscription (previous secret,
// failure record) leaves the gateway.

extension WebhookSubscription {
    /// The JSON object.
    /// - Parameter showSecret: include `secret` (create only).
    public func json(showSecret: Bool = false) -> String {
        var text = "{\"id\":" + JSONText.quoted(id) + ",\"url\":" + JSONText.quoted(url.text)
        text += ",\"events\":[" + events.names.map(JSONText.quoted).joined(separator: ",") + "]"
        text += ",\"description\":" + JSONText.quoted(description)
        text += ",\"enabled\":" + (enabled ? "true" : "false")
        text += ",\"disabled_reason\":" + (disabledReason.map { JSONText.quoted($0.rawValue) } ?? "null")
        if showSecret { text += ",\"secret\":" + JSONText.quoted(secret.text) }
        text += ",\"created_at\":" + JSONText.quoted(WallClock.iso(millis: createdAtMillis))
        text += ",\"delivered\":\(counters.delivered),\"failed\":\(counters.failed),\"dead\":\(counters.dead)}"
        return text
    }

    /// `{"webhooks": [...]}`, without secrets.
    public static func listJSON(_ subscriptions: [WebhookSubscription]) -> String {
        "{\"webhooks\":[" + subscriptions.map { $0.json() }.joined(separator: ",") + "]}"
    }

    /// The answer to a rotation: `{"secret", "previous_valid_until"}`.
    public var rotationJSON: String {
        "{\"secret\":" + JSONText.quoted(secret.text) + ",\"previous_valid_until\":"
            + (previousValidUntilMillis.map { JSONText.quoted(WallClock.iso(millis: $0)) } ?? "null") + "}"
    }
}

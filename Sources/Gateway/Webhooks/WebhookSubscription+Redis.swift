// A subscription as one Redis hash (the key is the delivery layer's choice). Field names:
//   id                    `wh_...`
//   url                   the URL text as validated
//   events                `*` or hook names comma-joined (WebhookEventFilter.storedText)
//   description           free text ("" when none)
//   secret                `whsec_...` (current)
//   previous_secret       `whsec_...` before the last rotation, "" when none
//   previous_valid_until  Unix ms the previous secret stops signing, "" when none
//   disabled_reason       "" when enabled, else `gone` | `failing` | `manual`
//   created_at            Unix ms
//   failing_since         Unix ms the current failure run began, "" when not failing
//   last_success_at       Unix ms of the last 2xx, "" when none
//   delivered failed dead counters (HINCRBY by the delivery layer; absent = 0)
// Encoding writes every field ("" for none) so one HSET replaces a stored subscription. Decoding
// refuses a hash whose fields do not validate (`nil`), so a corrupt entry is never delivered to.

extension WebhookSubscription {
    /// The hash field names, in the order ``redisFields`` writes them.
    public static let redisFieldNames = ["id", "url", "events", "description", "secret", "previous_secret", "previous_valid_until",
                                         "disabled_reason", "created_at", "failing_since", "last_success_at"]
    /// The counter fields, kept apart so an HSET of the subscription never resets them.
    public static let redisCounterNames = ["delivered", "failed", "dead"]

    /// The field/value pairs of the hash (no counters).
    public var redisFields: [(String, String)] {
        func ms(_ v: Int64?) -> String { v.map { String($0) } ?? "" }
        return [
            ("id", id), ("url", url.text), ("events", events.storedText), ("description", description), ("secret", secret.text),
            ("previous_secret", previousSecret?.text ?? ""), ("previous_valid_until", ms(previousValidUntilMillis)),
            ("disabled_reason", disabledReason?.rawValue ?? ""), ("created_at", String(createdAtMillis)),
            ("failing_since", ms(health.failingSinceMillis)), ("last_success_at", ms(health.lastSuccessMillis)),
        ]
    }

    /// Reads a subscription back from its hash (HGETALL as a dictionary).
    /// - Parameters:
    ///   - fields: the hash.
    ///   - settings: the limits the secret and URL are checked against.
    /// - Returns: the subscription, or `nil` when a field is missing or does not validate. The URL is
    ///   re-read with private targets allowed: the policy was applied at creation and the client
    ///   applies it again to resolved addresses.
    public init?(redisFields fields: [String: String], settings: WebhookSettings = WebhookSettings()) {
        func ms(_ name: String) -> Int64?? {
            guard let text = fields[name] else { return .some(nil) }
            if text.isEmpty { return .some(nil) }
            guard let v = Int64(text) else { return nil }
            return .some(v)
        }
        guard let id = fields["id"], Self.isID(id),
              let urlText = fields["url"], case .success(let url) = WebhookURL.parse(urlText, allowPrivate: true, settings: settings),
              let eventsText = fields["events"], let events = WebhookEventFilter(storedText: eventsText),
              let secretText = fields["secret"], case .success(let secret) = WebhookSecret.parse(secretText, settings: settings),
              let createdText = fields["created_at"], let created = Int64(createdText),
              let validUntil = ms("previous_valid_until"), let failingSince = ms("failing_since"), let lastSuccess = ms("last_success_at")
        else { return nil }
        var previous: WebhookSecret?
        if let text = fields["previous_secret"], !text.isEmpty {
            guard case .success(let s) = WebhookSecret.parse(text, settings: settings) else { return nil }
            previous = s
        }
        var reason: DisabledReason?
        if let text = fields["disabled_reason"], !text.isEmpty {
            guard let r = DisabledReason(rawValue: text) else { return nil }
            reason = r
        }
        func count(_ name: String) -> Int64 { fields[name].flatMap { Int64($0) } ?? 0 }
        self.init(id: id, url: url, events: events, description: fields["description"] ?? "", secret: secret,
                  previousSecret: previous, previousValidUntilMillis: validUntil, disabledReason: reason, createdAtMillis: created,
                  health: WebhookEndpointHealth(failingSinceMillis: failingSince, lastSuccessMillis: lastSuccess),
                  counters: Counters(delivered: count("delivered"), failed: count("failed"), dead: count("dead")))
    }
}

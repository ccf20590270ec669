// One webhook subscription (contract §5): target URL, event filter, description, signing secret (plus
// the previous one during a rotation grace), enabled or disabled with the reason, the endpoint's
// failure record, and the counters the delivery layer increments. A value: creating, patching and
// rotating return new values; storing it is WebhookSubscription+Redis, checking input is
// WebhookSubscriptionInput.

/// A webhook subscription.
public struct WebhookSubscription: Sendable, Equatable {
    /// Why a subscription is disabled (`disabled_reason`).
    public enum DisabledReason: String, Sendable, CaseIterable {
        /// The endpoint answered `410 Gone`.
        case gone
        /// No success for the disable-after period.
        case failing
        /// An operator disabled it.
        case manual
    }

    /// Delivery counters (`delivered`, `failed` attempts, `dead` deliveries), kept by the delivery layer.
    public struct Counters: Sendable, Equatable {
        public var delivered: Int64 = 0
        public var failed: Int64 = 0
        public var dead: Int64 = 0
        public init(delivered: Int64 = 0, failed: Int64 = 0, dead: Int64 = 0) {
            self.delivered = delivered
            self.failed = failed
            self.dead = dead
        }
    }

    /// The prefix of every subscription id.
    public static let idPrefix = "wh_"

    /// `wh_` + hex of random bytes.
    public let id: String
    public var url: WebhookURL
    public var events: WebhookEventFilter
    public var description: String
    /// The current signing secret.
    public var secret: WebhookSecret
    /// The secret before the last rotation, valid until ``previousValidUntilMillis``.
    public var previousSecret: WebhookSecret?
    /// Unix ms after which ``previousSecret`` no longer signs.
    public var previousValidUntilMillis: Int64?
    /// `nil` when enabled.
    public var disabledReason: DisabledReason?
    /// Unix ms of creation.
    public let createdAtMillis: Int64
    /// The endpoint's failure record (auto-disable rule).
    public var health: WebhookEndpointHealth
    public var counters: Counters

    /// Whether events are delivered to it.
    public var enabled: Bool { disabledReason == nil }

    /// A subscription as stored; see ``create(_:id:secret:nowMillis:)`` for new ones.
    public init(id: String, url: WebhookURL, events: WebhookEventFilter, description: String, secret: WebhookSecret,
                previousSecret: WebhookSecret? = nil, previousValidUntilMillis: Int64? = nil, disabledReason: DisabledReason? = nil,
                createdAtMillis: Int64, health: WebhookEndpointHealth = WebhookEndpointHealth(), counters: Counters = Counters()) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.previousSecret = previousSecret
        self.previousValidUntilMillis = previousValidUntilMillis
        self.disabledReason = disabledReason
        self.createdAtMillis = createdAtMillis
        self.health = health
        self.counters = counters
    }

    /// A new subscription from validated create input (`url` and `events` are required there).
    /// - Parameters:
    ///   - input: a ``WebhookSubscriptionInput`` that passed ``WebhookSubscriptionInput/parse(_:mode:allowPrivate:settings:)``
    ///     in create mode.
    ///   - id: from ``newID(settings:random:)``.
    ///   - secret: the input's secret, else a generated one.
    ///   - nowMillis: the injected clock.
    /// - Returns: the subscription, or a 422 when a required field is missing.
    public static func create(_ input: WebhookSubscriptionInput, id: String, secret: WebhookSecret, nowMillis: Int64) -> Result<WebhookSubscription, Problem> {
        guard let url = input.url else { return .failure(.invalidField("url", "required")) }
        let sub = WebhookSubscription(id: id, url: url, events: input.events ?? .all, description: input.description ?? "",
                                      secret: input.secret ?? secret, disabledReason: input.enabled == false ? .manual : nil,
                                      createdAtMillis: nowMillis)
        return .success(sub)
    }

    /// This subscription with a PATCH applied (only the fields present change). Enabling clears the
    /// reason and the failure record; disabling sets `manual`.
    public func patched(_ input: WebhookSubscriptionInput) -> WebhookSubscription {
        var next = self
        if let u = input.url { next.url = u }
        if let e = input.events { next.events = e }
        if let d = input.description { next.description = d }
        if let s = input.secret { next.secret = s }
        switch input.enabled {
        case true?: next.disabledReason = nil; next.health = WebhookEndpointHealth()
        case false?: next.disabledReason = next.disabledReason ?? .manual
        case nil: break
        }
        return next
    }

    /// This subscription after a secret rotation: `secret` signs from now, the old one until the grace ends.
    public func rotated(to secret: WebhookSecret, nowMillis: Int64, settings: WebhookSettings = WebhookSettings()) -> WebhookSubscription {
        var next = self
        next.previousSecret = self.secret
        next.previousValidUntilMillis = nowMillis + settings.rotationGraceMillis
        next.secret = secret
        return next
    }

    /// The secrets that sign at `nowMillis`: the current one, then the previous one within its grace.
    public func signingSecrets(nowMillis: Int64) -> [WebhookSecret] {
        guard let previous = previousSecret, let until = previousValidUntilMillis, nowMillis < until else { return [secret] }
        return [secret, previous]
    }

    /// A fresh id: `wh_` + lower-case hex of `settings.idRandomBytes` random bytes; `nil` if the source failed.
    public static func newID(settings: WebhookSettings = WebhookSettings(), random: (Int) -> [UInt8]? = Crypto.randomBytes(count:)) -> String? {
        guard let bytes = random(settings.idRandomBytes), bytes.count == settings.idRandomBytes, !bytes.isEmpty else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var out = Array(idPrefix.utf8)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` has the form of a subscription id (`wh_` + 2-128 lower-case hex digits).
    public static func isID(_ text: String) -> Bool {
        guard text.hasPrefix(idPrefix) else { return false }
        let hex = text.utf8.dropFirst(idPrefix.utf8.count)
        return hex.count >= 2 && hex.count <= 128 && hex.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}

// Every limit of webhook subscriptions, signing and retries (contract §5 and §9), each with its unit in
// its name. Times are Unix milliseconds and durations milliseconds, so a test schedule of a few
// milliseconds and the production one of hours go through the same arithmetic.

/// The webhook limits and defaults; `serve` flags (`--webhook-retry-schedule`, `--webhook-disable-after`,
/// `--webhook-rotation-grace`) override some of them.
public struct WebhookSettings: Sendable, Equatable {
    /// Delay before each attempt, counted from the previous failed attempt; entry 0 is the first attempt,
    /// so N entries = N attempts, then the dead letter. Default: the Standard Webhooks schedule.
    public var retryScheduleMillis: [Int64] = WebhookSettings.standardScheduleMillis
    /// Largest share of a delay added as jitter (contract §5: at most 10%).
    public var jitterFraction: Double = 0.1
    /// Longest `Retry-After` honoured; a longer one is clamped to this.
    public var retryAfterMaxMillis: Int64 = 24 * 3_600_000
    /// A subscription failing without a single success for this long is disabled (`failing`).
    public var disableAfterMillis: Int64 = 5 * 86_400_000
    /// How long the previous secret still signs after a rotation.
    public var rotationGraceMillis: Int64 = 24 * 3_600_000
    /// Default tolerance of ``WebhookSigner/verify(_:id:timestamp:body:nowSeconds:toleranceSeconds:)``
    /// between a message's `webhook-timestamp` and now (the libraries' default: 5 minutes).
    public var verifyToleranceSeconds: Int64 = 300
    /// Longest subscription URL, in UTF-8 bytes.
    public var urlMaxBytes: Int = 2048
    /// Longest description, in characters (Unicode scalars).
    public var descriptionMaxCharacters: Int = 512
    /// Fewest key bytes a `whsec_` secret may carry.
    public var secretMinKeyBytes: Int = 24
    /// Most key bytes a `whsec_` secret may carry.
    public var secretMaxKeyBytes: Int = 64
    /// Key bytes of a newly generated secret.
    public var secretGeneratedKeyBytes: Int = 32
    /// Random bytes in a subscription id (`wh_` + their hex).
    public var idRandomBytes: Int = 12

    /// Standard Webhooks' schedule: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
    public static let standardScheduleMillis: [Int64] = [
        0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
    ]

    /// The defaults.
    public init() {}
}

// The retry schedule's semantics (contract §5): `delaysMillis[i]` is the wait before attempt i+1,
// counted from the previous failed attempt (entry 0, normally 0, from the moment the delivery is
// created), so N entries = N attempts, then the dead letter. Jitter adds at most `jitterFraction` of
// each delay. On 429/503 a `Retry-After` replaces the next delay when longer (clamped to
// `retryAfterMaxMillis`). 2xx = delivered; 410 = gone (subscription disabled, delivery parked as dead
// so it can be replayed); anything else, a timeout or a connection error = retry or, after the last
// attempt, dead. Pure: the clock and the random source are parameters.

/// The retry schedule and the decision after each attempt.
public struct WebhookSchedule: Sendable, Equatable {
    /// What one attempt came to.
    public enum Outcome: Sendable, Equatable {
        /// An HTTP answer, with its `Retry-After` value if any.
        case response(status: Int, retryAfter: String?)
        /// No answer: timeout, connection error, TLS failure, refused target. The text is recorded.
        case failure(String)
    }

    /// What to do next.
    public enum Decision: Sendable, Equatable {
        /// 2xx: done.
        case delivered
        /// Try again at this Unix ms.
        case retry(atMillis: Int64)
        /// Out of attempts: park in `wg:webhooks:dead`.
        case dead
        /// 410: disable the subscription (`gone`) and park this delivery in `wg:webhooks:dead`.
        case gone
    }

    /// Delay before each attempt, ms.
    public let delaysMillis: [Int64]
    /// Largest share of a delay added as jitter (0...1).
    public let jitterFraction: Double
    /// Longest honoured `Retry-After`, ms.
    public let retryAfterMaxMillis: Int64

    /// The schedule of `settings` (an empty list is read as one immediate attempt).
    public init(settings: WebhookSettings = WebhookSettings()) {
        delaysMillis = settings.retryScheduleMillis.isEmpty ? [0] : settings.retryScheduleMillis.map { max(0, $0) }
        jitterFraction = min(max(settings.jitterFraction, 0), 1)
        retryAfterMaxMillis = max(0, settings.retryAfterMaxMillis)
    }

    /// Attempts before the dead letter.
    public var maxAttempts: Int { delaysMillis.count }

    /// `delay` plus jitter: `random()` in [0, 1) (clamped) times `jitterFraction` of it.
    public func jittered(_ delay: Int64, random: () -> Double) -> Int64 {
        let u = min(max(random(), 0), 1)
        return delay + Int64((Double(delay) * jitterFraction * u).rounded(.down))
    }

    /// When the first attempt is due.
    /// - Parameters:
    ///   - createdAtMillis: when the delivery was created (the stream entry was read).
    ///   - random: the jitter source.
    public func firstAttemptAt(createdAtMillis: Int64, random: () -> Double) -> Int64 {
        createdAtMillis + jittered(delaysMillis[0], random: random)
    }

    /// Decides after attempt number `attempt` (1-based) ended with `outcome` at `nowMillis`.
    public func decide(attempt: Int, outcome: Outcome, nowMillis: Int64, random: () -> Double) -> Decision {
        var retryAfter: Int64?
        switch outcome {
        case .response(let status, _) where (200...299).contains(status): return .delivered
        case .response(410, _): return .gone
        case .response(let status, let header?) where status == 429 || status == 503:
            retryAfter = WebhookRetryAfter.delayMillis(header, nowMillis: nowMillis).map { min($0, retryAfterMaxMillis) }
        case .response, .failure: break
        }
        guard attempt >= 1, attempt < maxAttempts else { return .dead }
        let delay = max(jittered(delaysMillis[attempt], random: random), retryAfter ?? 0)
        return .retry(atMillis: nowMillis + delay)
    }
}

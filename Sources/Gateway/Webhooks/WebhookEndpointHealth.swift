// The auto-disable rule (contract §5, issue 13): a subscription failing without a single success for
// `disableAfterMillis` (default 5 days) is disabled with reason `failing`. The record is when the
// current run of failures began (cleared by any 2xx). A pure value over the injected clock; the
// delivery layer stores it in the subscription hash (`failing_since`, `last_success_at`).

/// A subscription endpoint's failure record.
public struct WebhookEndpointHealth: Sendable, Equatable {
    /// Unix ms of the first failed attempt since the last success; `nil` when not failing.
    public var failingSinceMillis: Int64?
    /// Unix ms of the last 2xx, if any.
    public var lastSuccessMillis: Int64?

    /// A record; the default is healthy.
    public init(failingSinceMillis: Int64? = nil, lastSuccessMillis: Int64? = nil) {
        self.failingSinceMillis = failingSinceMillis
        self.lastSuccessMillis = lastSuccessMillis
    }

    /// Records a 2xx: the failure run ends.
    public mutating func recordSuccess(nowMillis: Int64) {
        failingSinceMillis = nil
        lastSuccessMillis = max(lastSuccessMillis ?? nowMillis, nowMillis)
    }

    /// Records a failed attempt (any non-2xx, timeout, connection error or refusal).
    /// - Returns: `true` when the endpoint has now failed without a success for the disable-after
    ///   period, i.e. the subscription must be disabled (`failing`).
    public mutating func recordFailure(nowMillis: Int64, settings: WebhookSettings = WebhookSettings()) -> Bool {
        let since = failingSinceMillis ?? nowMillis
        failingSinceMillis = since
        return nowMillis - since >= settings.disableAfterMillis
    }
}

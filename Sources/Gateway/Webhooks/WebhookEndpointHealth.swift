// A subscription endpoint's failure record as the subscription hash keeps it (`failing_since`,
// `last_success_at`). The auto-disable rule itself (contract §5: failing without a single success for
// `disableAfterMillis`, default 5 days, disables with reason `failing`) is applied where the record is
// written, in the settle script (`WebhookQueueScripts.settle`), so nodes never race on it.

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
}

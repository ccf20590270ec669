// A node's webhook delivery settings as `serve` takes them (contract §9): the schedule and limits of
// `WebhookSettings`, plus what only a running node needs (targets allowed, trust, attempt timeout, lease).

/// Webhook settings of one node.
public struct WebhookNodeConfiguration: Sendable {
    /// Whether this node delivers (`--webhook-delivery on|off`); off still serves the admin API.
    public var deliver = true
    /// Retry schedule, rotation grace, disable-after, validation limits.
    public var settings = WebhookSettings()
    /// Allow `http` and loopback/private/link-local targets (`--webhook-allow-private`).
    public var allowPrivate = false
    /// CAs trusted for HTTPS instead of the system store (`--webhook-ca-file`).
    public var caFile: String?
    /// Longest one attempt may take, connect included (`--webhook-timeout`), seconds.
    public var timeoutSeconds: Double = 15
    /// A delivery held by a node that stopped renewing goes to another after this (`--webhook-claim-after`), ms.
    public var claimAfterMillis: Int64 = 30_000
    /// Requests in flight at once per subscription from this node (`--webhook-concurrency`); the HTTP
    /// client keeps as many keep-alive connections per origin.
    public var concurrencyPerSubscription = WebhookRunnerSettings.defaultMaxInFlightPerSubscription

    public init() {}
}

// Every limit of the delivery runner, named with its unit (contract §9 names the `serve` flags that set
// the user-facing ones: retry schedule, timeout, claim-after).

/// Settings of one node's webhook delivery.
struct WebhookRunnerSettings: Sendable {
    /// This node's name in the consumer group and in leases (unique per running node).
    var nodeID: String
    /// Stream entries read per XREADGROUP.
    var readBatchEntries = 100
    /// How long one XREADGROUP waits for new entries (on the runner's own connection), ms.
    var readBlockMillis = 1000
    /// Due deliveries claimed per pass.
    var claimBatchDeliveries = 64
    /// Time between claim passes while idle, ms.
    var claimIntervalMillis: Int64 = 50
    /// A claimed delivery stays with this node this long without renewal; a node that stops renewing
    /// (died) loses it to the others after it (`--webhook-claim-after`), ms.
    var leaseMillis: Int64 = 30_000
    /// Requests in flight at once per subscription (bench/webhooks, one subscription, loopback nginx,
    /// noisy 2-core VM: 8 gave 4,200-5,600 deliveries/s over HTTP, 32 gave 6,800-7,700).
    var maxInFlightPerSubscription = Self.defaultMaxInFlightPerSubscription
    /// The default of `maxInFlightPerSubscription`; the HTTP client keeps as many connections per origin.
    static let defaultMaxInFlightPerSubscription = 32
    /// Requests in flight at once on this node.
    var maxInFlight = 256
    /// Subscriptions re-read at least this often (a change notice re-reads at once), ms.
    var reloadIntervalMillis: Int64 = 1000
    /// Approximate length the dead-letter stream is trimmed to.
    var deadLetterMaxLength = 100_000
    /// Approximate length the event stream is trimmed to when this node appends `webhook_endpoint_disabled`
    /// (the node's `EventSettings.streamMaxLength`).
    var eventStreamMaxLength = EventSettings().streamMaxLength

    init(nodeID: String) { self.nodeID = nodeID }
}

// The delivery runner's only way out: one signed POST and how it ended. Production sends it with the
// HTTP/1.1 client on the node's loops (issue 13's client, wired when it lands); tests use a recording fake.
// Called on the runner's loop; `done` is called exactly once, on that loop.

/// Sends one webhook request.
protocol WebhookTransport: AnyObject {
    /// POSTs `body` with `headers` to `url`; `done` gets the answer's status (and Retry-After) or the failure.
    func post(_ url: WebhookURL, headers: [(String, String)], body: [UInt8], _ done: @escaping (WebhookSchedule.Outcome) -> Void)
}

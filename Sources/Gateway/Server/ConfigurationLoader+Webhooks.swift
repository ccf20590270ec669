// The webhook delivery settings of `serve` (contract §9): each a flag and a GATEWAY_<FLAG> variable like
// the others, refused at start with one line naming the setting when out of range.
import Foundation

extension ConfigurationLoader {
    static func duration(_ v: String, _ flag: String, _ range: ClosedRange<Int64>) throws(ConfigurationError) -> Int64 {
        guard let ms = WebhookDuration.parseMillis(v), range.contains(ms) else {
            throw ConfigurationError("\(flag): expected a duration such as 30s, 5m, 2h or 5d within \(range.lowerBound)-\(range.upperBound) ms")
        }
        return ms
    }

    static let webhookOptions: [Option] = [
        option("--webhook-delivery", "on (default) or off: off serves the admin API but delivers nothing from this node") { c, v throws(ConfigurationError) in
            switch v {
            case "on": c.webhook.deliver = true
            case "off": c.webhook.deliver = false
            default: throw ConfigurationError("--webhook-delivery: expected on or off")
            }
        },
        option("--webhook-allow-private", value: false, "deliver webhooks to http and loopback/private addresses too (tests, dev)") { c, _ in
            c.webhook.allowPrivate = true
        },
        option("--webhook-ca-file", "PEM file of CAs trusted for webhook HTTPS (default: the system store)") { c, v throws(ConfigurationError) in
            guard !v.isEmpty, FileManager.default.isReadableFile(atPath: v) else {
                throw ConfigurationError("--webhook-ca-file: '\(v)' is not a readable file")
            }
            c.webhook.caFile = v
        },
        option("--webhook-retry-schedule", "delays before each attempt, e.g. 0,5s,5m,30m,2h (default: Standard Webhooks)") { c, v throws(ConfigurationError) in
            switch WebhookDuration.parseSchedule(v) {
            case .success(let list): c.webhook.settings.retryScheduleMillis = list
            case .failure(let e): throw e
            }
        },
        option("--webhook-timeout", "seconds one delivery attempt may take (default 15)") { c, v throws(ConfigurationError) in
            c.webhook.timeoutSeconds = try seconds(v, "--webhook-timeout", 0.01...300)
        },
        option("--webhook-disable-after", "a subscription failing this long without a success is disabled (default 5d)") { c, v throws(ConfigurationError) in
            c.webhook.settings.disableAfterMillis = try duration(v, "--webhook-disable-after", 1_000...31_536_000_000)
        },
        option("--webhook-rotation-grace", "how long the previous secret still signs after a rotation (default 24h)") { c, v throws(ConfigurationError) in
            c.webhook.settings.rotationGraceMillis = try duration(v, "--webhook-rotation-grace", 0...31_536_000_000)
        },
        option("--webhook-concurrency", "requests in flight at once per subscription from this node (default 32)") { c, v throws(ConfigurationError) in
            c.webhook.concurrencyPerSubscription = try int(v, "--webhook-concurrency", 1...256)
        },
        option("--webhook-claim-after", "a delivery held by a node that stopped renewing goes to another after this (default 30s)") { c, v throws(ConfigurationError) in
            c.webhook.claimAfterMillis = try duration(v, "--webhook-claim-after", 100...86_400_000)
        },
    ]
}

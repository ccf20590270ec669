// The event and key-lifetime settings of `serve` (issue 16 item 6): each a flag and a GATEWAY_<FLAG>
// variable like the others, refused at start with one line naming the setting when out of range.
// Durations take the webhook flags' units (`30d`, `24h`, `90m`, `3s`, `500ms`; a bare number is seconds).

extension ConfigurationLoader {
    /// A duration in whole seconds within `range` (Redis EXPIRE takes seconds).
    static func ttlSeconds(_ v: String, _ flag: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let ms = WebhookDuration.parseMillis(v), ms % 1000 == 0, range.contains(Int(ms / 1000)) else {
            throw ConfigurationError("\(flag): expected a whole number of seconds such as 3600, 90m, 24h or 30d, from \(range.lowerBound) s to \(range.upperBound) s, got '\(v)'")
        }
        return Int(ms / 1000)
    }

    /// Longest key lifetime accepted: 366 days, seconds.
    static let maxTTLSeconds = 366 * 86_400

    static let eventOptions: [Option] = [
        option("--room-ttl", "a webinar's room, sessions, audience and pending attendance job live this long after their last change (default 30d)") { c, v throws(ConfigurationError) in
            c.events.roomTTLSeconds = try ttlSeconds(v, "--room-ttl", 60...maxTTLSeconds)
        },
        option("--once-mark-ttl", "once-marks and Core event dedup marks live this long: 'once' holds this long (default 30d)") { c, v throws(ConfigurationError) in
            c.events.onceMarkTTLSeconds = try ttlSeconds(v, "--once-mark-ttl", 60...maxTTLSeconds)
        },
        option("--idempotency-ttl", "a form_submitted's Idempotency-Key answer is kept this long (default 24h)") { c, v throws(ConfigurationError) in
            c.events.idempotencyTTLSeconds = try ttlSeconds(v, "--idempotency-ttl", 1...maxTTLSeconds)
        },
        option("--autowebinar-ttl", "a Core user's AutoWebinar record lives this long after its last write (default 30d)") { c, v throws(ConfigurationError) in
            c.events.autoSessionTTLSeconds = try ttlSeconds(v, "--autowebinar-ttl", 60...maxTTLSeconds)
        },
        option("--attendance-job-ttl", "a finished attendance job's hash is kept this long (default 7d)") { c, v throws(ConfigurationError) in
            c.attendance.doneJobTTLSeconds = try ttlSeconds(v, "--attendance-job-ttl", 1...maxTTLSeconds)
        },
        option("--stream-max-length", "approximate length the wg:events stream is trimmed to, entries (default 1000000)") { c, v throws(ConfigurationError) in
            c.events.streamMaxLength = try int(v, "--stream-max-length", 1_000...1_000_000_000)
        },
        option("--form-payload-max-bytes", "largest serialized form_payload of a form_submitted, bytes (422 past it; default 16384)") { c, v throws(ConfigurationError) in
            c.events.maxFormPayloadBytes = try int(v, "--form-payload-max-bytes", 2...16_777_216)
        },
        option("--attendance-batch-size", "leads one attendance batch script classifies, about (default 1000)") { c, v throws(ConfigurationError) in
            c.attendance.batchSize = try int(v, "--attendance-batch-size", 1...100_000)
        },
        option("--attendance-lease", "a node's hold on an attendance job; another node resumes it this long after its last batch (default 3s)") { c, v throws(ConfigurationError) in
            c.attendance.leaseMillis = Int(try duration(v, "--attendance-lease", 100...600_000))
        },
    ]
}

// The IETF httpapi RateLimit header fields (draft -11) and the 429 answer:
//   RateLimit-Policy: "state";q=30;w=15      (quota = burst, window = seconds to refill it)
//   RateLimit: "state";r=7;t=2               (remaining, seconds until the bucket is full)
import Throttle

enum RateLimitFields {
    /// Header fields for every answer of a throttled route (none when the class is off).
    static func headers(_ o: ThrottleOutcome) -> [(String, String)] {
        guard let d = o.decision else { return [] }
        return [("RateLimit-Policy", o.policy.isEmpty ? RateLimiter.policy(o.routeClass, o.limits) : o.policy),
                ("RateLimit", "\"" + o.routeClass.rawValue + "\";r=" + String(d.remaining) + ";t=" + String(d.fullInSeconds))]
    }

    /// The answer for a refused request: 429 with Retry-After, or 503 when Redis is down and the node fails closed.
    static func refusal(_ o: ThrottleOutcome) -> Problem {
        if o.storeDown {
            return Problem(status: 503, slug: "throttle-unavailable", title: "Rate limiting is unavailable and this node fails closed",
                           headers: [("Retry-After", "1")])
        }
        let retry = max(1, o.decision?.retryAfterSeconds ?? 1)
        return Problem(status: 429, slug: "rate-limited", title: "Too many requests; retry after the time in Retry-After",
                       headers: [("Retry-After", String(retry))] + headers(o))
    }
}

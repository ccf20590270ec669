// API: the throttle of one loop (loop thread only). `check` takes one token from the user's and the
// session's bucket of a route class with ONE Redis script call on the loop's pipelined connection.
// Modes: enforce (refuse when empty), shadow (count what would be refused, refuse nothing), off (no
// Redis call at all). Redis unreachable: fail-open by default — a per-loop local bucket decides and the
// request is counted `fail_open`; with `failClosed` the request is refused (the caller answers 503).
// `onOutageChange` fires once when an outage starts and once when it ends (log once per episode).
import RedisStore

/// What the throttle decided for one request.
public struct ThrottleOutcome: Sendable, Equatable {
    public enum Source: Sendable, Equatable { case redis, local, disabled }
    /// Whether the request may proceed.
    public var passes: Bool
    /// The bucket decision (nil when the class is off).
    public var decision: TokenBucket.Decision?
    /// The limits in force for the class.
    public var limits: ClassLimits
    public var routeClass: RouteClass
    public var source: Source
    /// Refused because Redis is down and the node fails closed.
    public var storeDown: Bool
    /// The `RateLimit-Policy` value for the limits in force (computed once per limits change).
    public var policy: String = ""
}

/// The throttle of one loop.
public final class RateLimiter {
    /// Limits in force on this loop (replaced by the node's limits watcher within a second of a change).
    public var limits: ThrottleLimits {
        didSet {
            cachedArguments = Self.arguments(limits, idleTTLMillis)
            cachedPolicies = Self.policies(limits)
        }
    }
    private var cachedArguments: [RouteClass: [String]] = [:]
    private var cachedPolicies: [RouteClass: String] = [:]
    /// Refuse instead of using local buckets while Redis is unreachable.
    public var failClosed: Bool
    /// Counters for /metrics.
    public let counters: ThrottleCounters
    /// Called with `true` when Redis starts failing for the throttle and `false` when it works again.
    public var onOutageChange: ((Bool) -> Void)?
    /// Idle buckets expire after this many milliseconds at least (longer when a bucket takes longer to
    /// refill: see `ThrottleScripts.ttlMillis`).
    public let idleTTLMillis: Int
    private var local = LocalBuckets()
    private var inOutage = false
    private let now: () -> Int64

    /// - Parameters:
    ///   - limits: the starting limits.
    ///   - failClosed: refuse while Redis is unreachable.
    ///   - idleTTLMillis: bucket expiry when idle.
    ///   - nowMicros: clock for the local buckets (injected in tests).
    public init(limits: ThrottleLimits = .defaults, failClosed: Bool = false, idleTTLMillis: Int = 600_000,
                counters: ThrottleCounters = ThrottleCounters(), nowMicros: @escaping () -> Int64) {
        self.limits = limits
        self.failClosed = failClosed
        self.idleTTLMillis = idleTTLMillis
        self.counters = counters
        self.now = nowMicros
        self.cachedArguments = Self.arguments(limits, idleTTLMillis)
        self.cachedPolicies = Self.policies(limits)
    }

    /// `"state";q=30;w=15` per class: quota = burst, window = seconds to refill it (RateLimit draft -11).
    public static func policy(_ rc: RouteClass, _ l: ClassLimits) -> String {
        let window = max(1, TokenBucket.seconds((l.burst / l.rate).rounded(.up)))
        return "\"" + rc.rawValue + "\";q=" + String(TokenBucket.seconds(l.burst)) + ";w=" + String(window)
    }

    private static func policies(_ limits: ThrottleLimits) -> [RouteClass: String] {
        var out: [RouteClass: String] = [:]
        for rc in RouteClass.allCases { out[rc] = policy(rc, limits[rc]) }
        return out
    }

    private static func arguments(_ limits: ThrottleLimits, _ ttl: Int) -> [RouteClass: [String]] {
        var out: [RouteClass: [String]] = [:]
        for rc in RouteClass.allCases {
            let l = limits[rc]
            let bucketTTL = ThrottleScripts.ttlMillis(rate: l.rate, burst: l.burst, idleMillis: ttl)
            out[rc] = [String(l.rate), String(TokenBucket.seconds(l.burst)), String(bucketTTL)]
        }
        return out
    }

    /// The bucket keys of a request.
    public func keys(_ rc: RouteClass, user: String, session: String?) -> [String] {
        [ThrottleKeys.user(rc, user), session.map { ThrottleKeys.session(rc, $0) } ?? ""]
    }

    /// ARGV for the take script: rate, burst, bucket TTL in ms (`ThrottleScripts.ttlMillis`).
    public func arguments(_ rc: RouteClass) -> [String] {
        cachedArguments[rc] ?? []
    }

    /// Takes one token for (class, user, session) and calls `done` on this loop.
    public func check(_ rc: RouteClass, user: String, session: String?, on connection: RedisConnection,
                      _ done: @escaping (ThrottleOutcome) -> Void) {
        let l = limits[rc]
        guard l.mode != .off else { return done(disabled(rc)) }
        let keys = keys(rc, user: user, session: session)
        connection.evalScript(ThrottleScripts.take, keys: keys, args: arguments(rc)) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let reply) where !reply.isError:
                done(self.decide(rc, scriptReply: reply))
            default:
                done(self.storeFailed(rc, keys: keys))
            }
        }
    }

    /// The outcome for a class that is off.
    public func disabled(_ rc: RouteClass) -> ThrottleOutcome {
        ThrottleOutcome(passes: true, decision: nil, limits: limits[rc], routeClass: rc, source: .disabled, storeDown: false)
    }

    /// Turns the script's `{allowed, remaining, retry_after_s, full_in_s}` into an outcome and counts it.
    public func decide(_ rc: RouteClass, scriptReply reply: RedisReply) -> ThrottleOutcome {
        decide(rc, fields: (reply.array ?? [])[...])
    }

    /// The same from the first `ThrottleScripts.decisionFieldCount` elements of a longer reply (the state
    /// route's combined script).
    public func decide(_ rc: RouteClass, fields f: ArraySlice<RedisReply>) -> ThrottleOutcome {
        recovered()
        let base = f.startIndex
        func int(_ i: Int) -> Int { base + i < f.endIndex ? Int(f[base + i].integer ?? 0) : 0 }
        let d = TokenBucket.Decision(allowed: int(0) == 1, remaining: int(1), retryAfterSeconds: int(2), fullInSeconds: int(3))
        return outcome(rc, d, source: .redis)
    }

    /// Redis did not answer: fail open on a local bucket, or closed.
    public func storeFailed(_ rc: RouteClass, keys: [String]) -> ThrottleOutcome {
        if !inOutage {
            inOutage = true
            onOutageChange?(true)
        }
        let l = limits[rc]
        if failClosed {
            counters.count(rc, .failClosed)
            return ThrottleOutcome(passes: false, decision: nil, limits: l, routeClass: rc, source: .local, storeDown: true)
        }
        counters.count(rc, .failOpen)
        let d = local.take(keys.filter { !$0.isEmpty }, nowMicros: now(), rate: l.rate, burst: l.burst)
        return outcome(rc, d, source: .local)
    }

    private func recovered() {
        if inOutage {
            inOutage = false
            onOutageChange?(false)
        }
    }

    private func outcome(_ rc: RouteClass, _ d: TokenBucket.Decision, source: ThrottleOutcome.Source) -> ThrottleOutcome {
        let l = limits[rc]
        var passes = d.allowed
        if d.allowed {
            counters.count(rc, .allowed)
        } else if l.mode == .shadow {
            counters.count(rc, .shadowRefused)
            passes = true
        } else {
            counters.count(rc, .refused)
        }
        return ThrottleOutcome(passes: passes, decision: d, limits: l, routeClass: rc, source: source, storeDown: false,
                               policy: cachedPolicies[rc] ?? Self.policy(rc, l))
    }
}

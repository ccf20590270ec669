// What ops tune at runtime: per route class, rate (tokens per second), burst (bucket size) and mode.
// Validation is all-or-nothing: a change with any bad value is refused whole.

/// The route classes that are throttled.
public enum RouteClass: String, Sendable, CaseIterable, Codable {
    case state, events, hooks
}

/// enforce: refuse when empty; shadow: count what would be refused, refuse nothing; off: no buckets.
public enum ThrottleMode: String, Sendable, CaseIterable, Codable {
    case enforce, shadow, off
}

/// The limits of one route class.
public struct ClassLimits: Sendable, Equatable, Codable {
    /// Tokens added per second.
    public var rate: Double
    /// Largest number of tokens (requests allowed back to back).
    public var burst: Double
    public var mode: ThrottleMode

    public init(rate: Double, burst: Double, mode: ThrottleMode) {
        self.rate = rate
        self.burst = burst
        self.mode = mode
    }

    /// Highest accepted rate, tokens per second.
    public static let maxRate = 100_000.0
    /// Lowest accepted rate, tokens per second (one token per 1,000 s). Below it the refill times
    /// (burst / rate) stop being meaningful numbers of seconds.
    public static let minRate = 0.001
    /// Highest accepted burst, tokens.
    public static let maxBurst = 1_000_000.0

    /// Why these limits are refused, or nil when they are fine.
    public var problem: String? {
        if !rate.isFinite || rate < Self.minRate || rate > Self.maxRate { return "rate must be a number of tokens per second from \(Self.minRate) to \(Int(Self.maxRate))" }
        if !burst.isFinite || burst < 1 || burst > Self.maxBurst || burst != burst.rounded() { return "burst must be a whole number from 1 to \(Int(Self.maxBurst))" }
        return nil
    }
}

/// Limits of every class.
public struct ThrottleLimits: Sendable, Equatable {
    public var classes: [RouteClass: ClassLimits]

    /// Defaults for long-poll clients: one request per state change plus one per wait period, with room
    /// for a page reload or reconnect storm (burst), per user and per session.
    /// - state: 2/s, burst 30 (a browser re-polls at most a few times a second even when the CTA flaps).
    /// - events: 2/s, burst 20 (a session posts a handful of facts).
    /// - hooks: 50/s, burst 200 (Core and organizers; system callers act for many webinars).
    public static let defaults = ThrottleLimits(classes: [
        .state: ClassLimits(rate: 2, burst: 30, mode: .enforce),
        .events: ClassLimits(rate: 2, burst: 20, mode: .enforce),
        .hooks: ClassLimits(rate: 50, burst: 200, mode: .enforce),
    ])

    public init(classes: [RouteClass: ClassLimits]) { self.classes = classes }

    /// The limits of `routeClass` (defaults when unset).
    public subscript(_ routeClass: RouteClass) -> ClassLimits {
        classes[routeClass] ?? Self.defaults.classes[routeClass] ?? ClassLimits(rate: 1, burst: 1, mode: .off)
    }
}

/// A requested change to one class: any of the three may be left out.
public struct LimitsChange: Sendable, Equatable {
    public var rate: Double?
    public var burst: Double?
    public var mode: ThrottleMode?

    public init(rate: Double? = nil, burst: Double? = nil, mode: ThrottleMode? = nil) {
        self.rate = rate
        self.burst = burst
        self.mode = mode
    }

    /// Parses `rate=R burst=B mode=M` words (CLI form).
    /// - Throws: `ThrottleError` naming the bad word.
    public static func parse(_ words: [String]) throws(ThrottleError) -> LimitsChange {
        var c = LimitsChange()
        guard !words.isEmpty else { throw ThrottleError("give at least one of rate=R burst=B mode=enforce|shadow|off") }
        for w in words {
            let kv = w.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ThrottleError("'\(w)': expected key=value") }
            switch kv[0] {
            case "rate":
                guard let v = Double(kv[1]) else { throw ThrottleError("rate: '\(kv[1])' is not a number") }
                c.rate = v
            case "burst":
                guard let v = Double(kv[1]) else { throw ThrottleError("burst: '\(kv[1])' is not a number") }
                c.burst = v
            case "mode":
                guard let m = ThrottleMode(rawValue: kv[1]) else { throw ThrottleError("mode: expected enforce, shadow or off, got '\(kv[1])'") }
                c.mode = m
            default:
                throw ThrottleError("unknown setting '\(kv[0])' (rate, burst, mode)")
            }
        }
        return c
    }

    /// `base` with this change applied, or the reason it is refused.
    public func applied(to base: ClassLimits) -> Result<ClassLimits, ThrottleError> {
        var next = base
        if let r = rate { next.rate = r }
        if let b = burst { next.burst = b }
        if let m = mode { next.mode = m }
        if let p = next.problem { return .failure(ThrottleError(p)) }
        return .success(next)
    }
}

/// A refused throttle setting or command, with a message for ops.
public struct ThrottleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

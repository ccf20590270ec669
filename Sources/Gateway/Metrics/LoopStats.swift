// Per-loop statistics, owned by one loop thread: plain counters and histograms with no atomics or
// locks on the hot path. A scrape asks every loop (through its task queue) for a snapshot and merges.
import Reactor

/// The counters of one route on one loop.
final class RouteSlot {
    /// Answers by status code (index = code, 0..<600): an array, not a dictionary, so counting an answer
    /// hashes nothing (it runs once per fan-out answer).
    var codes = [Int](repeating: 0, count: RouteSlot.codeLimit)
    static let codeLimit = 600
    var durations = Histogram()
}

/// One loop's counters. Loop thread only.
public final class LoopStats {
    struct RouteCode: Hashable, Sendable {
        var route: String
        var code: Int
    }
    /// Counters other than per-route ones; a scrape copies them.
    var data = StatsSnapshot()
    private var routes: [String: RouteSlot] = [:]

    public init() {}

    /// The slot of `route` (looked up once per request, at dispatch).
    func slot(_ route: String) -> RouteSlot {
        if let s = routes[route] { return s }
        let s = RouteSlot()
        routes[route] = s
        return s
    }

    /// Records an answered request.
    func request(_ slot: RouteSlot, code: Int, seconds: Double) {
        if code >= 0 && code < RouteSlot.codeLimit { slot.codes[code] += 1 }
        slot.durations.observe(seconds: seconds)
    }

    /// Records a Redis round trip.
    func redisCommand(nanos: UInt64, failed: Bool) {
        data.redis.observe(seconds: Double(nanos) / 1e9)
        if failed { data.redisErrors += 1 }
    }

    var snapshot: StatsSnapshot {
        var s = data
        for (route, slot) in routes {
            for (code, n) in slot.codes.enumerated() where n > 0 { s.requests[RouteCode(route: route, code: code), default: 0] += n }
            s.durations[route, default: Histogram()].merge(slot.durations)
        }
        return s
    }
}

/// A copy of loop statistics, mergeable across loops.
struct StatsSnapshot: Sendable {
    var requests: [LoopStats.RouteCode: Int] = [:]
    var durations: [String: Histogram] = [:]
    var wakeFanout = Histogram()
    var redis = Histogram()
    var redisErrors = 0
    var eventsEmitted = 0
    var eventDuplicates = 0
    /// Webhook attempts by how the queue settled them (`delivered`, `retry`, `dead`, `gone`).
    var webhookAttempts: [String: Int] = [:]
    /// From an attempt's start to its answer (or failure).
    var webhookAttemptDuration = Histogram()

    mutating func merge(_ o: StatsSnapshot) {
        for (k, v) in o.requests { requests[k, default: 0] += v }
        for (k, v) in o.durations { durations[k, default: Histogram()].merge(v) }
        wakeFanout.merge(o.wakeFanout)
        redis.merge(o.redis)
        redisErrors += o.redisErrors
        eventsEmitted += o.eventsEmitted
        eventDuplicates += o.eventDuplicates
        for (k, v) in o.webhookAttempts { webhookAttempts[k, default: 0] += v }
        webhookAttemptDuration.merge(o.webhookAttemptDuration)
    }
}

/// Every loop's stats, for handlers (their own loop's) and for the scrape (all of them).
public final class NodeStats: Sendable {
    private let perLoop: [LoopBound<LoopStats>]

    init(loops: [EventLoop]) {
        self.perLoop = loops.map { LoopBound(LoopStats(), loop: $0) }
    }

    /// The stats of the loop with `index` (use on that loop only).
    func on(_ index: Int) -> LoopStats { perLoop[index].value }

    /// Collects a snapshot from every loop, then calls `done` on `replyLoop`. Never blocks a loop.
    func gather(replyOn replyLoop: EventLoop, _ done: @escaping @Sendable (StatsSnapshot) -> Void) {
        let collector = LoopBound(SnapshotCollector(expected: perLoop.count, done: done), loop: replyLoop)
        for box in perLoop {
            box.execute { stats in
                let snap = stats.snapshot
                collector.execute { $0.add(snap) }
            }
        }
    }
}

/// Merges snapshots on the replying loop and finishes when all arrived.
final class SnapshotCollector {
    private var merged = StatsSnapshot()
    private var remaining: Int
    private let done: @Sendable (StatsSnapshot) -> Void
    init(expected: Int, done: @escaping @Sendable (StatsSnapshot) -> Void) {
        remaining = expected
        self.done = done
    }
    func add(_ s: StatsSnapshot) {
        merged.merge(s)
        remaining -= 1
        if remaining == 0 { done(merged) }
    }
}

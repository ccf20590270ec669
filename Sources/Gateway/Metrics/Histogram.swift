// A Prometheus histogram with fixed buckets (seconds), as a value type: each loop owns one and the
// scrape merges copies of them.

/// Cumulative-bucket histogram of durations in seconds.
public struct Histogram: Sendable {
    /// Upper bounds in seconds (the +Inf bucket is implicit): from 100 µs to the longest long-poll.
    public static let bounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    public private(set) var counts: [Int] = Array(repeating: 0, count: Histogram.bounds.count + 1)
    public private(set) var sum: Double = 0
    public private(set) var count: Int = 0

    public init() {}

    /// Records one observation.
    public mutating func observe(seconds: Double) {
        var i = 0
        while i < Self.bounds.count && seconds > Self.bounds[i] { i += 1 }
        counts[i] += 1
        sum += seconds
        count += 1
    }

    /// Adds another histogram's observations.
    public mutating func merge(_ other: Histogram) {
        for i in counts.indices { counts[i] += other.counts[i] }
        sum += other.sum
        count += other.count
    }

    /// Prometheus exposition lines (`name_bucket{...,le=...}`, `name_sum`, `name_count`).
    public func lines(_ name: String, labels: String = "") -> String {
        let sep = labels.isEmpty ? "" : labels + ","
        var out = ""
        var cumulative = 0
        for (i, b) in Self.bounds.enumerated() {
            cumulative += counts[i]
            out += "\(name)_bucket{\(sep)le=\"\(b)\"} \(cumulative)\n"
        }
        cumulative += counts[Self.bounds.count]
        out += "\(name)_bucket{\(sep)le=\"+Inf\"} \(cumulative)\n"
        let l = labels.isEmpty ? "" : "{\(labels)}"
        out += "\(name)_sum\(l) \(sum)\n\(name)_count\(l) \(count)\n"
        return out
    }
}

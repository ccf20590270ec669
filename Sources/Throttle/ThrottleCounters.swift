// Throttle counters for /metrics: one set per loop, written only by that loop (relaxed atomics on
// lines no other writer touches), summed on scrape. No lock on the hot path.
import Synchronization

/// Counters of one loop, per route class.
public final class ThrottleCounters: Sendable {
    private final class Cell: Sendable {
        let value = Atomic<Int>(0)
    }
    private let cells: [Cell]  // [class][kind]

    /// What is counted.
    public enum Kind: Int, CaseIterable, Sendable {
        case allowed, refused, shadowRefused, failOpen, failClosed
        public var name: String {
            switch self {
            case .allowed: "allowed"
            case .refused: "refused"
            case .shadowRefused: "shadow_refused"
            case .failOpen: "fail_open"
            case .failClosed: "fail_closed"
            }
        }
    }

    public init() {
        cells = (0..<(RouteClass.allCases.count * Kind.allCases.count)).map { _ in Cell() }
    }

    private func index(_ rc: RouteClass, _ k: Kind) -> Int {
        (RouteClass.allCases.firstIndex(of: rc) ?? 0) * Kind.allCases.count + k.rawValue
    }

    /// Adds one (owner loop only).
    public func count(_ rc: RouteClass, _ k: Kind) {
        cells[index(rc, k)].value.add(1, ordering: .relaxed)
    }

    /// Current value (any thread).
    public func value(_ rc: RouteClass, _ k: Kind) -> Int {
        cells[index(rc, k)].value.load(ordering: .relaxed)
    }
}

// Time for the loops, injected: production uses the monotonic clock, tests a manual one they advance.
import Glibc
import Synchronization

/// A monotonic time source in nanoseconds. Injected into every loop so tests never sleep to wait.
public protocol LoopClock: Sendable {
    /// Monotonic nanoseconds since an arbitrary origin.
    func nowNanos() -> UInt64
}

/// `CLOCK_MONOTONIC`.
public struct MonotonicClock: LoopClock {
    public init() {}
    @inline(__always)
    public func nowNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// A clock that only moves when a test says so.
public final class ManualClock: LoopClock {
    private let now: Atomic<UInt64>
    public init(start: UInt64 = 1_000_000_000) { now = Atomic(start) }
    public func nowNanos() -> UInt64 { now.load(ordering: .acquiring) }
    /// Moves time forward by `nanos`.
    public func advance(by nanos: UInt64) { now.add(nanos, ordering: .releasing) }
}

/// Converts seconds (as configured by humans) to nanoseconds, clamping negatives to zero.
@inline(__always)
public func nanos(seconds: Double) -> UInt64 {
    guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? UInt64.max / 2 : 0 }
    return seconds >= 1e9 ? UInt64.max / 2 : UInt64(seconds * 1_000_000_000)  // never traps, never wraps a deadline
}

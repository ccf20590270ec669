// Carrying loop-owned objects and closures across the Sendable boundary of `EventLoop.execute`.

/// Carries a loop-owned object across threads; it is dereferenced only on its loop.
final class LoopBound<T: AnyObject>: @unchecked Sendable {
    // @unchecked: `value` is used only inside tasks executed on the loop that owns it.
    let value: T
    init(_ value: T) { self.value = value }
}

/// A loop-bound closure handed to `execute`.
struct UncheckedTask: @unchecked Sendable {
    // @unchecked: created and run for one loop; the closure only touches that loop's objects.
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

// Carrying loop-owned values across the Sendable boundary of `EventLoop.execute`, checked (SwiftNIO's
// `NIOLoopBound`): a `LoopBound` remembers its loop, and every access to its value asserts that it runs
// on that loop's thread (in debug builds, the ones the tests run; release builds skip the check).
// Anything read from other threads lives in an explicitly thread-safe type (Atomic, Mutex) instead.

/// A loop-owned value that may be handed between threads but is touched only on its loop.
public struct LoopBound<Value>: @unchecked Sendable {
    // @unchecked: `value` is only reached through the accessors below, which assert the owning loop's thread.
    private let _value: Value
    /// The loop that owns the value (safe to read from any thread).
    public let loop: EventLoop

    /// Binds `value` to `loop`. Call on `loop` (or before the loop runs, while nothing else can touch it).
    public init(_ value: Value, loop: EventLoop) {
        self._value = value
        self.loop = loop
    }

    /// The value; on the owning loop only.
    public var value: Value {
        loop.assertInEventLoop()
        return _value
    }

    /// Runs `body` with the value on its loop (from any thread).
    public func execute(_ body: @escaping (Value) -> Void) {
        let task = LoopTask { body(self._value) }
        loop.execute { task.run() }
    }
}

/// A closure made on one loop's behalf and run by `EventLoop.execute` on that loop.
public struct LoopTask: @unchecked Sendable {
    // @unchecked: created for one loop and run only there; the closure touches only that loop's objects.
    public let run: () -> Void
    /// Wraps `run`.
    public init(_ run: @escaping () -> Void) { self.run = run }
}

extension EventLoop {
    /// Debug builds: traps unless called on this loop's thread (or before the loop runs, while its owner
    /// sets it up). Release builds: nothing.
    @inlinable
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inEventLoop || !isRunning, "called off loop \(index)", file: file, line: line)
    }
}

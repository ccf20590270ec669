// API: an `EventLoop` is one thread with one epoll instance. It owns every fd registered on it and
// every object that handles them; those are touched only on the loop thread (`inEventLoop`).
// Other threads hand it work with `execute(_:)`: a Mutex-guarded queue plus one eventfd wake.
// Timers live in one heap per loop; the epoll timeout is the time to the nearest deadline.
// Each pass: wait → dispatch I/O → run due timers → run queued tasks → run pass-end hooks
// (hiredis flushes its pipelined writes there, once per pass).
import Glibc
import Synchronization

/// One event-loop thread with its own epoll, eventfd wake, timer heap and scratch read buffer.
public final class EventLoop: @unchecked Sendable {
    // @unchecked: every mutable field except `queue`/`wakePending`/`threadID` (synchronized) is touched only on the loop thread.

    /// This loop's index in its group.
    public let index: Int
    /// The injected clock; timers and deadlines use it.
    public let clock: any LoopClock
    /// A scratch buffer for reads, shared by every connection on this loop (reads are never concurrent).
    public let readBuffer: UnsafeMutableRawBufferPointer

    private let epfd: Int32
    private let wakeFD: Int32
    private let events: Linux.EventBuffer
    private var slots: [Slot] = []
    private var timers = TimerHeap()
    private var passEndHooks: [() -> Void] = []
    private let queue = Mutex<[@Sendable () -> Void]>([])
    private let wakePending = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)
    private let threadID = Atomic<UInt>(0)
    private let running = Atomic<Bool>(false)
    private var cachedNow: UInt64 = 0

    private struct Slot {
        var generation: UInt32 = 0
        var handler: IOHandler?
    }

    /// Creates a loop; call `run()` on the thread that should own it.
    /// - Parameters:
    ///   - index: position in the group.
    ///   - clock: time source for timers.
    ///   - readBufferBytes: size of the shared scratch read buffer.
    /// - Throws: `IOError` if epoll or the eventfd cannot be created.
    public init(index: Int = 0, clock: any LoopClock = MonotonicClock(), readBufferBytes: Int = 64 * 1024, maxEventsPerWait: Int = 1024) throws(IOError) {
        self.index = index
        self.clock = clock
        self.readBuffer = .allocate(byteCount: readBufferBytes, alignment: 16)
        self.epfd = try Linux.epollCreate()
        self.wakeFD = try Linux.eventFD()
        self.events = Linux.EventBuffer(capacity: maxEventsPerWait)
        try Linux.epollControl(epfd, Linux.ctlAdd, wakeFD, events: IOEvents.readable.epollMask, data: UInt64.max)
        cachedNow = clock.nowNanos()
    }

    deinit {
        closeDescriptors()
        readBuffer.deallocate()
    }

    private let descriptorsClosed = Atomic<Bool>(false)

    /// Closes the epoll and eventfd descriptors once the loop's thread has returned from `run()`
    /// (objects that still reference the loop must not use it afterwards). Idempotent.
    public func closeDescriptors() {
        guard !descriptorsClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        close(epfd)
        close(wakeFD)
    }

    /// True on this loop's own thread.
    public var inEventLoop: Bool {
        threadID.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// True while a thread is inside `run()` (debug checks of loop-bound values).
    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Monotonic nanoseconds, as of the start of this pass's dispatch (cheap; loop thread only).
    public var now: UInt64 { cachedNow }

    // MARK: registration (loop thread only)

    /// Registers `fd` for `interest` with `handler`.
    /// - Throws: `IOError` from epoll_ctl.
    public func register(fd: Int32, interest: IOEvents, handler: IOHandler) throws(IOError) -> Registration {
        let i = Int(fd)
        if i >= slots.count { slots.append(contentsOf: repeatElement(Slot(), count: i + 1 - slots.count)) }
        slots[i].generation &+= 1
        slots[i].handler = handler
        let reg = Registration(fd: fd, generation: slots[i].generation)
        do {
            try Linux.epollControl(epfd, Linux.ctlAdd, fd, events: interest.epollMask, data: reg.epollData)
        } catch {
            slots[i].handler = nil
            throw error
        }
        return reg
    }

    /// Changes what `registration` listens for.
    public func reregister(_ registration: Registration, interest: IOEvents) throws(IOError) {
        try Linux.epollControl(epfd, Linux.ctlMod, registration.fd, events: interest.epollMask, data: registration.epollData)
    }

    /// Removes the fd from epoll and forgets its handler. Call before closing the fd.
    public func deregister(_ registration: Registration) {
        let i = Int(registration.fd)
        guard i < slots.count, slots[i].generation == registration.generation else { return }
        slots[i].handler = nil
        slots[i].generation &+= 1
        Linux.epollDelete(epfd, registration.fd)
    }

    // MARK: timers (loop thread only)

    /// Runs `body` on this loop once `clock` reaches `deadline` (monotonic nanoseconds).
    @discardableResult
    public func schedule(at deadline: UInt64, _ body: @escaping () -> Void) -> LoopTimer {
        timers.schedule(at: deadline, body)
    }

    /// Runs `body` once after `delay` nanoseconds.
    @discardableResult
    public func schedule(after delay: UInt64, _ body: @escaping () -> Void) -> LoopTimer {
        timers.schedule(at: clock.nowNanos() &+ delay, body)
    }

    /// Adds a hook run at the end of every loop pass (after I/O, timers and tasks).
    public func addPassEndHook(_ hook: @escaping () -> Void) {
        passEndHooks.append(hook)
    }

    // MARK: cross-thread

    /// Queues `task` to run on the loop thread; safe from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        queue.withLock { $0.append(task) }
        wake()
    }

    /// Wakes the loop if it is waiting.
    public func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
        }
    }

    /// Asks the loop to return from `run()` after the current pass.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        wake()
    }

    // MARK: the loop

    /// Runs the loop on the calling thread until `stop()`.
    public func run() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        running.store(true, ordering: .relaxed)
        defer { running.store(false, ordering: .relaxed) }
        while !stopped.load(ordering: .acquiring) {
            let n = events.wait(epfd, timeoutMillis: waitTimeout())
            cachedNow = clock.nowNanos()
            for i in 0..<Int(n) {
                let (mask, data) = events.event(i)
                if data == UInt64.max {
                    drainWake()
                    continue
                }
                let fd = Int(UInt32(truncatingIfNeeded: data))
                let gen = UInt32(truncatingIfNeeded: data >> 32)
                guard fd < slots.count, slots[fd].generation == gen, let h = slots[fd].handler else { continue }
                h.handleIO(IOEvents(epollMask: mask))
            }
            runDueTimers()
            runQueuedTasks()
            for hook in passEndHooks { hook() }
        }
        // Final drain so tasks queued before stop still run.
        runQueuedTasks()
    }

    /// Runs due timers and queued tasks once without waiting; for tests driving a loop with a manual clock
    /// from the loop's own thread.
    public func runPendingWork() {
        cachedNow = clock.nowNanos()
        runDueTimers()
        runQueuedTasks()
        for hook in passEndHooks { hook() }
    }

    private func waitTimeout() -> Int32 {
        if queue.withLock({ !$0.isEmpty }) { return 0 }
        guard let deadline = timers.nextDeadline() else { return -1 }
        let now = clock.nowNanos()
        if deadline <= now { return 0 }
        let ms = (deadline - now + 999_999) / 1_000_000
        return Int32(min(ms, 60_000))
    }

    private func drainWake() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFD, $0.baseAddress, 8) }
    }

    private func runDueTimers() {
        let now = clock.nowNanos()
        cachedNow = now
        for body in timers.popDue(now: now) { body() }
    }

    private func runQueuedTasks() {
        wakePending.store(false, ordering: .releasing)
        let tasks = queue.withLock { q -> [@Sendable () -> Void] in
            let t = q
            q.removeAll(keepingCapacity: true)
            return t
        }
        for t in tasks { t() }
    }
}

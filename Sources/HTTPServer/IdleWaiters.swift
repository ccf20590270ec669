// Who waits for a node's last connection to close (the drain's grace period), resumed by the loop that
// closes it or by a timer: no polling, no sleeps.
import Reactor
import Synchronization

/// Continuations waiting for `openConnections` to reach zero.
final class IdleWaiters: Sendable {
    private struct Waiting {
        var next = 0
        var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    }
    private let state: ServerState
    private let waiting = Mutex(Waiting())

    init(state: ServerState) { self.state = state }

    private var isIdle: Bool { state.openConnections.load(ordering: .acquiring) == 0 }

    /// Resumes with true once idle, or false after `timeoutNanos` (a timer on `timerLoop`).
    func wait(timeoutNanos: UInt64, timerLoop: EventLoop) async -> Bool {
        if isIdle { return true }
        return await withCheckedContinuation { continuation in
            let id = waiting.withLock { w -> Int in
                w.next += 1
                w.waiters[w.next] = continuation
                return w.next
            }
            // The last connection may have closed between the check above and the registration.
            if isIdle { return resume(id, true) }
            timerLoop.execute { [self] in
                timerLoop.schedule(after: timeoutNanos) { [self] in resume(id, isIdle) }
            }
        }
    }

    /// Called when a connection closes and the count reached zero.
    func resumeIfIdle() {
        guard isIdle else { return }
        let all = waiting.withLock { w -> [CheckedContinuation<Bool, Never>] in
            let c = Array(w.waiters.values)
            w.waiters.removeAll()
            return c
        }
        for c in all { c.resume(returning: true) }
    }

    private func resume(_ id: Int, _ value: Bool) {
        if let c = waiting.withLock({ $0.waiters.removeValue(forKey: id) }) { c.resume(returning: value) }
    }
}

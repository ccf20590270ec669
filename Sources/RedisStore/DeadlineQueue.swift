// Deadlines of the commands in flight on one connection, kept as a sliding-window minimum so ONE loop
// timer serves them all (a timer per command left ~5 s worth of cancelled timers in the loop's heap).
// It relies on replies being ordered: if a newer command has an earlier deadline, an older command
// cannot outlive it unnoticed (its reply comes first, or the newer one times out and the connection is
// torn down), so the older entry is dropped. The front is therefore always the earliest deadline.

/// Monotonic deque of (deadline, command) in send order; loop thread only.
struct DeadlineQueue {
    private var items: [(deadline: UInt64, pending: PendingReply)] = []
    private var head = 0

    /// The entry with the earliest deadline, if any.
    var first: (deadline: UInt64, pending: PendingReply)? { head < items.count ? items[head] : nil }

    /// Entries held (resolved ones included until pruned).
    var count: Int { items.count - head }

    /// Adds a command sent now, dropping older entries it dominates.
    mutating func push(_ deadline: UInt64, _ pending: PendingReply) {
        while items.count > head, let last = items.last, last.deadline >= deadline { items.removeLast() }
        items.append((deadline, pending))
    }

    /// Drops answered commands from the front.
    mutating func pruneResolved() {
        while head < items.count, !items[head].pending.isPending { head += 1 }
        if head == items.count {
            items.removeAll(keepingCapacity: items.count <= 4096)
            head = 0
        } else if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    /// Removes the front entry.
    mutating func removeFirst() {
        guard head < items.count else { return }
        head += 1
        pruneResolved()
    }

    /// Forgets everything (the connection is gone and every command was resolved).
    mutating func removeAll() {
        items.removeAll()
        head = 0
    }
}

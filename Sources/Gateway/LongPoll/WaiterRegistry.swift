// API: the parked polls of one loop, by room. Loop thread only.
// - park: a poll whose ETag is current waits until its deadline (304) or a change (200). If this
//   loop has already seen a newer room version than the poll read, it is answered at once (a wake
//   that overtook the poll's own read cannot be missed).
// - roomChanged: one snapshot, read once per node, answers every poll of that room on this loop;
//   the room part of the body is serialized once per (version, type).
// - sessionChanged / resync: re-read through `reader` and answer the polls that moved.
// - The first poll of a room on this loop tells the node to subscribe; the last one tells it to let go.
import HTTPServer
import Reactor
import Synchronization

/// Parked polls on one loop.
final class WaiterRegistry {
    let loop: EventLoop
    private var rooms: [String: RoomWaiters] = [:]
    /// Parked polls on this loop (read by /metrics and tests from other threads).
    private let parkedCount: ParkedCounter
    /// Called when this loop gains its first / loses its last poll of a room.
    var onInterest: ((String, Bool) -> Void)?
    /// This loop's statistics (wake fan-out latency).
    var stats: LoopStats?
    /// Re-reads one poll's state (room + its session) from Redis, on this loop.
    var reader: ((StateView, @escaping (StateView?) -> Void) -> Void)?

    init(loop: EventLoop, parked: ParkedCounter = ParkedCounter()) {
        self.loop = loop
        self.parkedCount = parked
    }

    /// Parks `waiter` until `deadline` (monotonic ns).
    func park(_ waiter: Waiter, deadline: UInt64) {
        loop.assertInEventLoop()
        let id = waiter.view.webinarID
        let room: RoomWaiters
        if let r = rooms[id] {
            room = r
        } else {
            room = RoomWaiters()
            rooms[id] = room
            onInterest?(id, true)
        }
        if let latest = room.latest, latest.version > waiter.view.room.version {
            waiter.view.room = latest
            if room.waiters.isEmpty { dropRoomIfEmpty(id) }
            answer(waiter, changed: true)
            return
        }
        waiter.index = room.waiters.count
        room.waiters.append(waiter)
        parkedCount.value.add(1, ordering: .relaxed)
        // Strong captures on purpose: every path (deadline, cancel, answer) releases these closures, and
        // weak references would give each waiter a side table and slower refcounting on the fan-out path.
        waiter.timer = loop.schedule(at: deadline) { [self, waiter] in
            guard !waiter.done else { return }
            self.remove(waiter)
            self.answer(waiter, changed: false)
            self.dropRoomIfEmpty(id)
        }
        waiter.responder.onCancel { [self, waiter] in
            guard !waiter.done else { return }
            waiter.done = true
            waiter.timer?.cancel()
            self.remove(waiter)
            self.dropRoomIfEmpty(id)
        }
    }

    /// A newer room state, read once for the node: answer every poll that has an older one.
    func roomChanged(_ webinarID: String, _ snapshot: RoomSnapshot, noticeAt: UInt64? = nil) {
        loop.assertInEventLoop()
        guard let room = rooms[webinarID] else { return }
        if (room.latest?.version ?? -1) < snapshot.version { room.latest = snapshot }
        // Take every poll that has an older version out of the room in one pass (no per-poll lookup);
        // polls parked while these are answered (a pipelined re-poll) join the room as usual.
        var moved: [Waiter] = []
        var kept: [Waiter] = []
        for w in room.waiters {
            if w.view.room.version < snapshot.version {
                moved.append(w)
            } else {
                w.index = kept.count
                kept.append(w)
            }
        }
        room.waiters = kept
        parkedCount.value.subtract(moved.count, ordering: .relaxed)
        // Shared by every poll of this version and type: built once per wake.
        var live: PrebuiltAnswer?
        var auto: PrebuiltAnswer?
        for w in moved {
            guard !w.done else { continue }
            w.done = true
            w.timer?.cancel()
            w.timer = nil
            w.view.room = snapshot
            let answer: PrebuiltAnswer
            // The shown type from the fields, not `w.view.type`: a computed property of the view would
            // copy the whole view (and retain/release each of its strings) for every poll.
            switch snapshot.storedType ?? w.view.fallbackType {
            case .live:
                answer = live ?? PrebuiltAnswer(version: snapshot.version, type: .live, bodyPrefix: Array(w.view.roomPrefix.utf8))
                live = answer
            case .auto:
                answer = auto ?? PrebuiltAnswer(version: snapshot.version, type: .auto, bodyPrefix: Array(w.view.roomPrefix.utf8))
                auto = answer
            }
            w.responder.respond(prewritten: FanoutAnswer(shared: answer, waiter: w))
        }
        if let t = noticeAt, !moved.isEmpty {
            stats?.data.wakeFanout.observe(seconds: Double(loop.clock.nowNanos() &- t) / 1e9)
        }
        dropRoomIfEmpty(webinarID)
    }

    /// A session record changed: re-read the polls of that session and answer those that moved.
    func sessionChanged(_ webinarID: String, sessionID: String) {
        loop.assertInEventLoop()
        guard let room = rooms[webinarID] else { return }
        refresh(room.waiters.filter { $0.view.session?.sessionID == sessionID })
    }

    /// After (re)subscribing: forget the newest version seen (the store may have restarted and counted
    /// again from 0) and re-read every poll of the room (one read per distinct session).
    func resync(_ webinarID: String) {
        loop.assertInEventLoop()
        guard let room = rooms[webinarID] else { return }
        room.latest = nil
        refresh(room.waiters)
    }

    /// Node draining: answer every parked poll now with 304 (clients re-poll elsewhere).
    func drainAll() {
        loop.assertInEventLoop()
        for (id, room) in rooms {
            for w in room.waiters { remove(w); answer(w, changed: false) }
            dropRoomIfEmpty(id)
        }
    }

    private func refresh(_ waiters: [Waiter]) {
        guard let reader, !waiters.isEmpty else { return }
        var bySession: [String: [Waiter]] = [:]
        for w in waiters { bySession[w.view.session?.sessionID ?? "", default: []].append(w) }
        for (_, group) in bySession {
            guard let first = group.first else { continue }
            reader(first.view) { [weak self] fresh in
                guard let self, let fresh else { return }
                for w in group where !w.done {
                    var next = w.view
                    next.room = fresh.room
                    next.session = fresh.session
                    if next.etag != w.view.etag {
                        w.view = next
                        w.poll.replaceSession(tag: next.sessionTagPart, tail: Waiter.sessionTail(next))
                        self.remove(w)
                        self.answer(w, changed: true)
                    }
                }
                self.dropRoomIfEmpty(first.view.webinarID)
            }
        }
    }

    private func answer(_ w: Waiter, changed: Bool) {
        let extra = w.poll.extraHeaders
        finish(w, changed ? StateResponses.ok(w.view, extra: extra)
                          : StateResponses.notModified(etag: w.view.etag, extra: extra))
    }

    private func finish(_ w: Waiter, _ response: HTTPResponse) {
        guard !w.done else { return }
        w.done = true
        w.timer?.cancel()
        w.timer = nil
        w.responder.respond(response)
    }

    private func remove(_ w: Waiter) {
        guard let room = rooms[w.view.webinarID], w.index < room.waiters.count, room.waiters[w.index] === w else { return }
        let last = room.waiters.count - 1
        if w.index != last {
            room.waiters[w.index] = room.waiters[last]
            room.waiters[w.index].index = w.index
        }
        room.waiters.removeLast()
        parkedCount.value.subtract(1, ordering: .relaxed)
    }

    private func dropRoomIfEmpty(_ id: String) {
        guard let room = rooms[id], room.waiters.isEmpty else { return }
        rooms[id] = nil
        onInterest?(id, false)
    }
}

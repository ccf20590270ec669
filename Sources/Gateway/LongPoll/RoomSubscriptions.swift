// API: the node's room subscriptions, on the subscriber's loop. One Redis subscription per room that
// has parked polls on any loop of this node (subscribed on the first, released `lingerSeconds` after
// the last, so a re-poll storm does not churn SUBSCRIBE/UNSUBSCRIBE). A wake carries the room as the
// hook's script left it (`r:<version>:<status>:<cta>:<type>`), so it costs the node no Redis read at
// all (a bare `r:<version>` from an older node costs ONE read of the room), whatever the number of
// polls; the snapshot is handed to each loop holding polls of it.
// After a subscription is confirmed, and after every reconnect, every held room is re-read and the
// polls that moved are answered, so no change can fall into the gap.
// Redis is reached only through `RoomWakeSource` and `RoomRead` (RoomWakeSource.swift).
import Reactor

/// Per-room pub/sub for long-polling. Subscriber-loop thread only.
final class RoomSubscriptions {
    let loop: EventLoop
    let subscriber: any RoomWakeSource
    /// Reads one room (production: `roomReader(over:)`).
    let readRoom: RoomRead
    /// Hands a task to loop `i`'s registry.
    let dispatch: (Int, @escaping @Sendable (WaiterRegistry) -> Void) -> Void
    let lingerNanos: UInt64
    private var interest: [String: Set<Int>] = [:]
    private var lingers: [String: LoopTimer] = [:]
    private var lastVersion: [String: Int64] = [:]

    init(subscriber: any RoomWakeSource, readRoom: @escaping RoomRead, lingerSeconds: Double,
         dispatch: @escaping (Int, @escaping @Sendable (WaiterRegistry) -> Void) -> Void) {
        self.loop = subscriber.loop
        self.subscriber = subscriber
        self.readRoom = readRoom
        self.lingerNanos = nanos(seconds: lingerSeconds)
        self.dispatch = dispatch
        subscriber.onResubscribed = { [weak self] in
            guard let self else { return }
            // Across a reconnect the store may have restarted empty (or failed over): versions can go
            // back, so versions seen before it must not hide the wakes that follow it.
            self.lastVersion.removeAll()
            for id in self.interest.keys { self.resync(id) }
        }
    }

    /// Rooms subscribed (for tests and metrics).
    var subscribedRooms: Int { interest.count }

    /// Loop `loopIndex` gained its first (`on`) or lost its last poll of `webinarID`.
    func setInterest(_ webinarID: String, loopIndex: Int, _ on: Bool) {
        loop.assertInEventLoop()
        if on {
            lingers.removeValue(forKey: webinarID)?.cancel()
            if interest[webinarID] == nil {
                interest[webinarID] = [loopIndex]
                let keys = RoomKeys(webinarID)
                subscriber.subscribe(keys.wakeChannel, confirmed: { [weak self] in self?.resync(webinarID) }) { [weak self] payload in
                    self?.message(webinarID, payload)
                }
            } else {
                interest[webinarID]?.insert(loopIndex)
            }
            return
        }
        interest[webinarID]?.remove(loopIndex)
        guard interest[webinarID]?.isEmpty == true, lingers[webinarID] == nil else { return }
        lingers[webinarID] = loop.schedule(after: lingerNanos) { [weak self] in
            guard let self else { return }
            self.lingers[webinarID] = nil
            guard self.interest[webinarID]?.isEmpty == true else { return }
            self.interest[webinarID] = nil
            self.lastVersion[webinarID] = nil
            self.subscriber.unsubscribe(RoomKeys(webinarID).wakeChannel)
        }
    }

    private func message(_ webinarID: String, _ payload: [UInt8]) {
        guard payload.count > 2, payload[1] == UInt8(ascii: ":") else { return }
        let rest = String(decoding: payload[2...], as: UTF8.self)
        switch payload[0] {
        case UInt8(ascii: "r"):
            if let snapshot = Self.snapshot(wake: rest) {
                broadcast(webinarID, snapshot, noticeAt: loop.clock.nowNanos())
                return
            }
            if let v = Int64(rest), let last = lastVersion[webinarID], v <= last { return }
            readAndBroadcast(webinarID, noticeAt: loop.clock.nowNanos())
        case UInt8(ascii: "s"):
            for i in interest[webinarID] ?? [] {
                dispatch(i) { $0.sessionChanged(webinarID, sessionID: rest) }
            }
        default:
            return
        }
    }

    /// Re-reads the room and hands it to every loop holding polls of it, which also re-read sessions.
    private func resync(_ webinarID: String) {
        readAndBroadcast(webinarID)
        for i in interest[webinarID] ?? [] {
            dispatch(i) { $0.resync(webinarID) }
        }
    }

    private func readAndBroadcast(_ webinarID: String, noticeAt: UInt64? = nil) {
        readRoom(webinarID) { [weak self] snapshot in
            guard let self, let snapshot else { return }
            self.broadcast(webinarID, snapshot, noticeAt: noticeAt)
        }
    }

    /// Hands a newer room state to every loop holding polls of the room (older or equal: nothing).
    private func broadcast(_ webinarID: String, _ snapshot: RoomSnapshot, noticeAt: UInt64?) {
        guard let loops = interest[webinarID] else { return }  // unsubscribed meanwhile: remember nothing
        if let last = lastVersion[webinarID], snapshot.version <= last { return }
        lastVersion[webinarID] = snapshot.version
        for i in loops {
            dispatch(i) { $0.roomChanged(webinarID, snapshot, noticeAt: noticeAt) }
        }
    }

    /// The room carried by a wake `<version>:<status>:<cta>:<type>`; nil for any other form (then the
    /// room is read).
    static func snapshot(wake: String) -> RoomSnapshot? {
        let parts = wake.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, let version = Int64(parts[0]), version > 0,
              let status = RoomStatus(rawValue: String(parts[1])),
              parts[2] == "0" || parts[2] == "1",
              let type = WebinarType(rawValue: String(parts[3])) else { return nil }
        return RoomSnapshot(version: version, status: status, cta: parts[2] == "1", storedType: type)
    }
}

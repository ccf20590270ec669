// RoomSubscriptions against a fake wake source and a fake room read (no Redis), with two registries
// standing for two loops: one subscription per room for the node, wakes handed to the loops that hold
// polls of the room, linger on the manual clock, and re-reads after a (re)subscribe.
import Testing
@testable import Gateway
@testable import HTTPServer
import Reactor

/// The node's pub/sub connection, faked: records subscribe/unsubscribe and delivers payloads by hand.
final class FakeWakeSource: RoomWakeSource {
    let loop: EventLoop
    var onResubscribed: (() -> Void)?
    private(set) var subscribed: [String] = []
    private(set) var unsubscribed: [String] = []
    private var handlers: [String: (confirmed: (() -> Void)?, handler: ([UInt8]) -> Void)] = [:]

    init(loop: EventLoop) { self.loop = loop }

    func subscribe(_ channel: String, confirmed: (() -> Void)?, handler: @escaping ([UInt8]) -> Void) {
        subscribed.append(channel)
        handlers[channel] = (confirmed, handler)
    }

    func unsubscribe(_ channel: String) {
        unsubscribed.append(channel)
        handlers[channel] = nil
    }

    /// Publishes `payload` on room `webinarID`'s wake channel (dropped when not subscribed).
    func wake(_ webinarID: String, _ payload: String) { handlers[RoomKeys(webinarID).wakeChannel]?.handler(Array(payload.utf8)) }

    /// The server confirms room `webinarID`'s subscription.
    func confirm(_ webinarID: String) { handlers[RoomKeys(webinarID).wakeChannel]?.confirmed?() }
}

/// Subscriptions over the fake source, with registries 0 and 1 on one manual loop; dispatched tasks
/// queue up (as on real loops) until `deliver()`.
final class SubscriptionsBench {
    let manual: ManualLoop
    let source: FakeWakeSource
    let loops: [RegistryBench]
    var subscriptions: RoomSubscriptions?
    /// Room reads asked for, answered by the test through `done`.
    private(set) var roomReads: [(webinarID: String, done: (RoomSnapshot?) -> Void)] = []
    private(set) var dispatched: [Int] = []
    private var queued: [(Int, (WaiterRegistry) -> Void)] = []

    init(lingerSeconds: Double = 5) throws {
        let m = try ManualLoop()
        manual = m
        source = FakeWakeSource(loop: m.loop)
        loops = try [RegistryBench(manual: m), RegistryBench(manual: m)]
        let subs = RoomSubscriptions(subscriber: source, readRoom: { [weak self] id, done in self?.roomReads.append((id, done)) },
                                     lingerSeconds: lingerSeconds) { [weak self] i, task in
            self?.dispatched.append(i)
            self?.queued.append((i, task))
        }
        subscriptions = subs
        for (i, l) in loops.enumerated() {
            l.registry.onInterest = { [weak subs] id, on in subs?.setInterest(id, loopIndex: i, on) }
        }
    }

    /// Runs the dispatched tasks on their registries, in order (tasks they cause run too).
    func deliver() {
        while !queued.isEmpty {
            let (i, task) = queued.removeFirst()
            task(loops[i].registry)
        }
    }

    /// Forgets the dispatches counted so far.
    func resetCounts() { dispatched = [] }

    func subscribedRooms() -> Int { subscriptions?.subscribedRooms ?? -1 }
}

@Suite struct RoomSubscriptionsTests {
    let channel = RoomKeys("w1").wakeChannel

    @Test func theFirstInterestSubscribesOncePerRoomNotPerLoop() throws {
        let b = try SubscriptionsBench()
        b.loops[0].park(PollInput.view(PollInput.room(1)))
        b.loops[1].park(PollInput.view(PollInput.room(1)))
        b.loops[0].park(PollInput.view(PollInput.room(1)))
        #expect(b.source.subscribed == [channel])
        b.loops[1].park(PollInput.view("w2", PollInput.room(1)))
        #expect(b.source.subscribed == [channel, RoomKeys("w2").wakeChannel])
        #expect(b.subscribedRooms() == 2)
    }

    @Test func aFullWakeGoesToEveryInterestedLoopWithoutARead() throws {
        let b = try SubscriptionsBench()
        let a = b.loops[0].park(PollInput.view(PollInput.room(3)))
        let c = b.loops[1].park(PollInput.view(PollInput.room(3)))
        b.loops[0].park(PollInput.view("w2", PollInput.room(3)))
        b.source.wake("w1", "r:4:paused:1:auto")
        #expect(b.roomReads.isEmpty)
        #expect(b.dispatched.sorted() == [0, 1])
        b.deliver()
        for (l, seq) in [(b.loops[0], a), (b.loops[1], c)] {
            let answers = l.target.answers(seq)
            try #require(answers.count == 1)
            #expect(answers[0].status == 200)
            #expect(answers[0].body.contains("\"webinar_type\":\"auto\",\"status\":\"paused\",\"cta_visibility\":true,\"version\":4"))
        }
        #expect(b.loops[0].parkedCount == 1, "the poll of w2 still waits")
    }

    @Test func aBareWakeCostsExactlyOneRead() throws {
        let b = try SubscriptionsBench()
        let a = b.loops[0].park(PollInput.view(PollInput.room(3)))
        let c = b.loops[1].park(PollInput.view(PollInput.room(3)))
        b.source.wake("w1", "r:4")
        try #require(b.roomReads.count == 1)
        #expect(b.roomReads[0].webinarID == "w1")
        #expect(b.dispatched.isEmpty, "nothing before the read returns")
        b.roomReads[0].done(PollInput.room(4, .ended))
        #expect(b.dispatched.sorted() == [0, 1])
        b.deliver()
        #expect(b.loops[0].target.answers(a).map(\.status) == [200])
        #expect(b.loops[1].target.answers(c).first?.body.contains("\"status\":\"ended\"") == true)
        b.source.wake("w1", "r:4")
        b.source.wake("w1", "r:3")
        #expect(b.roomReads.count == 1, "a version already seen is not read again")
        b.source.wake("w1", "r:5")
        #expect(b.roomReads.count == 2)
        b.roomReads[1].done(nil)  // a failed read broadcasts nothing
        #expect(b.dispatched.count == 2)
    }

    @Test func anOlderOrEqualVersionIsDropped() throws {
        let b = try SubscriptionsBench()
        b.loops[0].park(PollInput.view(PollInput.room(1)))
        b.source.wake("w1", "r:6:live:0:live")
        #expect(b.dispatched == [0])
        b.source.wake("w1", "r:6:live:1:live")
        b.source.wake("w1", "r:5:ended:1:live")
        b.source.wake("w1", "r:6")
        #expect(b.dispatched == [0])
        #expect(b.roomReads.isEmpty)
        // A read that returns a version already seen is dropped too.
        b.source.wake("w1", "r:7")
        b.roomReads[0].done(PollInput.room(6))
        #expect(b.dispatched == [0])
    }

    @Test func aSessionWakeGoesToTheInterestedLoopsAsASessionChange() throws {
        let b = try SubscriptionsBench()
        b.loops[0].park(PollInput.view(PollInput.room(1), session: PollInput.session("sess-1")))
        b.loops[1].park(PollInput.view(PollInput.room(1), session: PollInput.session("sess-2")))
        b.loops[1].park(PollInput.view("w2", PollInput.room(1), session: PollInput.session("sess-1")))
        b.source.wake("w1", "s:sess-1")
        #expect(b.dispatched.sorted() == [0, 1])
        #expect(b.roomReads.isEmpty, "a session change costs no room read here")
        b.deliver()
        #expect(b.loops[0].reads.map { $0.view.session?.sessionID } == ["sess-1"])
        #expect(b.loops[1].reads.isEmpty, "loop 1 holds sess-1 only in another room")
    }

    @Test func theLastInterestLetsGoOnlyAfterTheLinger() throws {
        let b = try SubscriptionsBench(lingerSeconds: 5)
        let a = b.loops[0].park(PollInput.view(PollInput.room(1)))
        let c = b.loops[1].park(PollInput.view(PollInput.room(1)))
        b.loops[0].target.cancel(a)
        b.manual.advance(seconds: 60)
        #expect(b.source.unsubscribed.isEmpty, "loop 1 still holds the room")
        b.loops[1].target.cancel(c)
        b.manual.advance(seconds: 4.9)
        #expect(b.source.unsubscribed.isEmpty)
        #expect(b.subscribedRooms() == 1)
        b.manual.advance(seconds: 0.1)
        #expect(b.source.unsubscribed == [channel])
        #expect(b.subscribedRooms() == 0)
        // Subscribed again from scratch: the versions seen before no longer count.
        b.loops[0].park(PollInput.view(PollInput.room(1)))
        #expect(b.source.subscribed == [channel, channel])
    }

    @Test func interestRegainedWithinTheLingerKeepsTheSubscription() throws {
        let b = try SubscriptionsBench(lingerSeconds: 5)
        b.loops[0].target.cancel(b.loops[0].park(PollInput.view(PollInput.room(1))))
        b.manual.advance(seconds: 3)
        let back = b.loops[1].park(PollInput.view(PollInput.room(1)), seconds: 120)
        b.manual.advance(seconds: 30)
        #expect(b.source.subscribed == [channel], "no second SUBSCRIBE")
        #expect(b.source.unsubscribed.isEmpty, "the pending UNSUBSCRIBE was cancelled")
        b.source.wake("w1", "r:2:live:0:live")
        #expect(b.dispatched == [1])
        b.loops[1].target.cancel(back)
        b.manual.advance(seconds: 5)
        #expect(b.source.unsubscribed == [channel])
    }

    @Test func aConfirmedSubscriptionAndAReconnectReReadEveryRoom() throws {
        let b = try SubscriptionsBench()
        b.loops[0].park(PollInput.view(PollInput.room(1), session: PollInput.session("sess-1")))
        b.loops[1].park(PollInput.view("w2", PollInput.room(1)))
        b.source.confirm("w1")
        #expect(b.roomReads.map(\.webinarID) == ["w1"])
        #expect(b.dispatched == [0], "the loop holding w1 re-reads its sessions")
        b.source.wake("w1", "r:9:live:0:live")
        b.source.wake("w2", "r:9:live:0:live")
        b.deliver()
        b.resetCounts()
        let c = b.loops[1].park(PollInput.view("w2", PollInput.room(9)))
        b.source.onResubscribed?()
        #expect(Set(b.roomReads.dropFirst().map(\.webinarID)) == ["w1", "w2"])
        #expect(b.dispatched == [1], "w2's loop resyncs (w1's poll was answered, its loop let go)")
        b.deliver()
        try #require(b.loops[1].reads.count == 1)
        // The store restarted empty: the re-read answers the poll still holding version 9 ...
        b.loops[1].reads[0].done(PollInput.view("w2", PollInput.room(1)))
        #expect(b.loops[1].target.answers(c).first?.body.contains("\"version\":1") == true)
        // ... and version 2 follows version 9 without being hidden by it.
        let d = b.loops[1].park(PollInput.view("w2", PollInput.room(1)))
        b.resetCounts()
        b.source.wake("w2", "r:2:ended:0:live")
        #expect(b.dispatched == [1])
        b.deliver()
        #expect(b.loops[1].target.answers(d).map(\.status) == [200])
    }

    @Test func malformedWakesFallBackToAReadOrAreIgnored() throws {
        let b = try SubscriptionsBench()
        b.loops[0].park(PollInput.view(PollInput.room(1)))
        for ignored in ["", "r", "r:", "s:", "r4", "x:4", "R:4", "rr:4"] { b.source.wake("w1", ignored) }
        #expect(b.roomReads.isEmpty && b.dispatched.isEmpty)
        let readInstead = ["r:abc", "r:0:live:1:live", "r:-3:live:1:live", "r:5:bogus:1:live", "r:5:live:2:live",
                           "r:5:live:1:webinar", "r:5:live:1:live:extra", "r:5:live:1", "r::live:1:live"]
        for payload in readInstead { b.source.wake("w1", payload) }
        #expect(b.roomReads.count == readInstead.count)
        #expect(b.dispatched.isEmpty)
    }
}

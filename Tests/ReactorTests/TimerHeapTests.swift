// The per-loop timer heap: order, ties, lazy cancellation. Pure, no loop thread.
import Testing
@testable import Reactor

@Suite struct TimerHeapTests {
    @Test func firesInDeadlineOrderAndInsertionOrderOnTies() {
        var heap = TimerHeap()
        var fired: [Int] = []
        let deadlines: [UInt64] = [50, 10, 30, 10, 20, 40, 30]
        var order: [(UInt64, Int)] = []
        for (i, d) in deadlines.enumerated() {
            order.append((d, i))
            _ = heap.schedule(at: d) { fired.append(i) }
        }
        for body in heap.popDue(now: 100) { body() }
        let expected = order.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { $0.1 }
        #expect(fired == expected)
        #expect(heap.count == 0)
    }

    @Test func onlyDueTimersRun() {
        var heap = TimerHeap()
        var fired: [UInt64] = []
        for d: UInt64 in [5, 15, 25] { _ = heap.schedule(at: d) { fired.append(d) } }
        for body in heap.popDue(now: 15) { body() }
        #expect(fired == [5, 15])
        #expect(heap.nextDeadline() == 25)
    }

    @Test func cancelledTimersNeverRunAndAreDroppedFromTheTop() {
        var heap = TimerHeap()
        var fired = 0
        let a = heap.schedule(at: 1) { fired += 1 }
        _ = heap.schedule(at: 2) { fired += 10 }
        a.cancel()
        #expect(!a.isPending)
        #expect(heap.nextDeadline() == 2)
        for body in heap.popDue(now: 10) { body() }
        #expect(fired == 10)
    }

    @Test func manyRandomTimersComeOutSorted() {
        var heap = TimerHeap()
        var rng = SystemRandomNumberGenerator()
        var out: [UInt64] = []
        for _ in 0..<5000 {
            let d = UInt64.random(in: 0..<1_000_000, using: &rng)
            _ = heap.schedule(at: d) { out.append(d) }
        }
        for body in heap.popDue(now: .max) { body() }
        #expect(out.count == 5000)
        #expect(out == out.sorted())
    }

    @Test func cancelledTimersAreSweptOnceTheHeapDoubles() {
        var heap = TimerHeap()
        var out: [UInt64] = []
        // A request deadline scheduled and cancelled again and again, beside a few live timers.
        for d: UInt64 in [700_000, 300_000, 500_000] { _ = heap.schedule(at: d) { out.append(d) } }
        for i in 0..<100_000 { heap.schedule(at: UInt64(1_000 + i)) { out.append(0) }.cancel() }
        #expect(heap.count < 2_100, "cancelled entries are swept, not kept until their deadline")
        var rng = SystemRandomNumberGenerator()
        var live: [UInt64] = [300_000, 500_000, 700_000]
        for _ in 0..<3000 {
            let d = UInt64.random(in: 0..<1_000_000, using: &rng)
            live.append(d)
            _ = heap.schedule(at: d) { out.append(d) }
        }
        for body in heap.popDue(now: .max) { body() }
        #expect(out == live.sorted())
    }
}

// A fixed set of loops, each on its own thread. Lifecycle only; connections never leave their loop.
import Foundation
import Synchronization

/// N event loops on N threads.
public final class EventLoopGroup: Sendable {
    /// The loops, in index order.
    public let loops: [EventLoop]
    private let next = Atomic<Int>(0)
    private let finished: DispatchGroup

    /// Creates `count` loops (not yet running).
    /// - Throws: `IOError` when a loop's epoll cannot be created.
    public init(count: Int, clock: any LoopClock = MonotonicClock()) throws(IOError) {
        precondition(count >= 1, "at least one loop")
        var loops: [EventLoop] = []
        for i in 0..<count { loops.append(try EventLoop(index: i, clock: clock)) }
        self.loops = loops
        self.finished = DispatchGroup()
    }

    /// Starts each loop on its own thread.
    public func start() {
        for loop in loops {
            finished.enter()
            let group = finished
            let t = Thread {
                loop.run()
                group.leave()
            }
            t.name = "loop-\(loop.index)"
            t.stackSize = 1 << 20
            t.start()
        }
    }

    /// Round-robin choice of a loop.
    public func nextLoop() -> EventLoop {
        let i = next.add(1, ordering: .relaxed).newValue
        return loops[i % loops.count]
    }

    /// Stops every loop and resumes once their threads have returned and the loops' own descriptors are
    /// closed (callers close what they registered on the loops first). Never blocks a thread.
    public func shutdown() async {
        for loop in loops { loop.stop() }
        let loops = self.loops
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) {
                for loop in loops { loop.closeDescriptors() }
                done.resume()
            }
        }
    }

    /// Stops every loop, waits for their threads to return, and closes the loops' own descriptors
    /// (callers close what they registered on the loops first).
    public func stopAndWait() {
        for loop in loops { loop.stop() }
        finished.wait()
        for loop in loops { loop.closeDescriptors() }
    }
}

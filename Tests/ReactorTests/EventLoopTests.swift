// A real loop on its own thread: cross-thread execute, timers on an injected clock (no sleeping for
// the deadline itself), and stale events after an fd is closed and its number reused.
import Foundation
import GatewayTestSupport
import Glibc
import Synchronization
import Testing
@testable import Reactor

final class Flag: Sendable {
    let value = Atomic<Int>(0)
}

@Suite struct EventLoopTests {
    @Test func executeFromManyThreadsRunsEveryTaskOnTheLoop() throws {
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stopAndWait() }
        let loop = group.loops[0]
        let count = Flag()
        let offLoop = Flag()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<1000 {
                loop.execute {
                    if !loop.inEventLoop { offLoop.value.add(1, ordering: .relaxed) }
                    count.value.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(eventually { count.value.load(ordering: .relaxed) == 8000 })
        #expect(offLoop.value.load(ordering: .relaxed) == 0)
    }

    @Test func timersFollowTheInjectedClock() throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(count: 1, clock: clock)
        group.start()
        defer { group.stopAndWait() }
        let loop = group.loops[0]
        let fired = Flag()
        loop.execute {
            loop.schedule(after: 30_000_000_000) { fired.value.store(1, ordering: .relaxed) }
            let cancelled = loop.schedule(after: 10_000_000_000) { fired.value.store(99, ordering: .relaxed) }
            cancelled.cancel()
            fired.value.store(-1, ordering: .relaxed)
        }
        #expect(eventually { fired.value.load(ordering: .relaxed) == -1 })
        clock.advance(by: 29_000_000_000)
        loop.execute {}
        #expect(!eventually(seconds: 0.1) { fired.value.load(ordering: .relaxed) != -1 })
        clock.advance(by: 1_000_000_000)
        loop.execute {}
        #expect(eventually { fired.value.load(ordering: .relaxed) == 1 })
    }

    final class Recorder: IOHandler, @unchecked Sendable {
        // @unchecked: only touched on the loop thread; the test reads `hits` through an Atomic.
        let hits = Atomic<Int>(0)
        func handleIO(_ events: IOEvents) {
            hits.add(1, ordering: .relaxed)
        }
    }

    @Test func staleRegistrationCannotTouchTheNewOwnerOfAReusedFD() throws {
        let group = try EventLoopGroup(count: 1)
        group.start()
        defer { group.stopAndWait() }
        let loop = group.loops[0]
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds)
        let (a, b) = (fds[0], fds[1])
        defer { close(a); close(b) }
        let old = Recorder(), new = Recorder()
        let same = Flag()
        loop.execute {
            guard let oldReg = try? loop.register(fd: a, interest: .readable, handler: old) else { return }
            loop.deregister(oldReg)
            // Same fd number, new owner: the old registration's generation no longer matches, so a late
            // deregister through it is ignored and events go to the new owner only.
            guard let newReg = try? loop.register(fd: a, interest: .readable, handler: new) else { return }
            same.value.store(newReg.fd == oldReg.fd && newReg != oldReg ? 1 : 2, ordering: .relaxed)
            loop.deregister(oldReg)
        }
        #expect(eventually { same.value.load(ordering: .relaxed) == 1 })
        var byte: UInt8 = 1
        _ = write(b, &byte, 1)
        #expect(eventually { new.hits.load(ordering: .relaxed) > 0 })
        #expect(old.hits.load(ordering: .relaxed) == 0)
        let done = Flag()
        loop.execute { var buf = [UInt8](repeating: 0, count: 8); _ = read(a, &buf, 8); done.value.store(1, ordering: .relaxed) }
        #expect(eventually { done.value.load(ordering: .relaxed) == 1 })
    }
}

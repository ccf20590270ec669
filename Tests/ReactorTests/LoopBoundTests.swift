// The loop binding checks: its value is reachable on its loop (and before the loop runs), and reading it
// from another thread while the loop runs stops a debug build (an exit test: the child process traps).
import Foundation
import GatewayTestSupport
import Synchronization
import Testing
@testable import Reactor

final class Box { var n = 0 }

@Suite struct LoopBoundTests {
    @Test func valueIsReachableOnItsLoopAndBeforeItRuns() throws {
        let group = try EventLoopGroup(count: 1)
        let loop = group.loops[0]
        let bound = LoopBound(Box(), loop: loop)
        bound.value.n = 1  // the loop does not run yet: the constructing thread may set it up
        group.start()
        defer { group.stopAndWait() }
        let seen = Atomic<Int>(0)
        bound.execute { box in
            box.n += 1
            seen.store(box.n, ordering: .relaxed)
        }
        #expect(eventually { seen.load(ordering: .relaxed) == 2 })
    }

    #if DEBUG
    @Test func readingOffItsLoopWhileItRunsTraps() async {
        await #expect(processExitsWith: .failure) {
            guard let group = try? EventLoopGroup(count: 1) else { return }
            let bound = LoopBound(Box(), loop: group.loops[0])
            group.start()
            let running = Atomic<Bool>(false)
            group.loops[0].execute { running.store(true, ordering: .relaxed) }
            _ = eventually { running.load(ordering: .relaxed) }
            _ = bound.value.n  // off the loop: the assertion stops the process
        }
    }
    #endif
}

// Runs the node's async shutdown from the main thread of `gateway serve` without suspending it (the
// main thread is not a loop thread; blocking it here is what keeps SIGTERM masked on it).
import Dispatch
import Gateway
import Synchronization

enum ShutdownOnMain {
    /// Shuts `node` down and returns whether every connection finished within the grace period.
    static func run(_ node: GatewayNode) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let clean = Atomic<Bool>(false)
        Task.detached {
            clean.store(await node.shutdown(), ordering: .relaxed)
            done.signal()
        }
        done.wait()
        return clean.load(ordering: .relaxed)
    }
}

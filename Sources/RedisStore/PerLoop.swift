// The part the async Redis facades share (`RedisClient`, `RedisClusterClient`): one loop-owned value per
// loop of a group, and the hops onto those loops — the value on the caller's own loop, one call on the
// next loop in turn, or one step on every loop in order. Each hop resumes its continuation exactly once.
import Reactor
import Synchronization

/// One `Value` per loop; each is touched only on its loop.
final class PerLoop<Value: AnyObject>: Sendable {
    struct Slot: @unchecked Sendable {
        // @unchecked: the value is created here, then touched only on `loop` (inside `execute`).
        let loop: EventLoop
        let value: Value
    }

    let slots: [Slot]
    private let next = Atomic<Int>(0)
    /// Names the owner in precondition messages.
    private let owner: String

    /// Makes one value per loop of `group` and starts each on its loop.
    init(group: EventLoopGroup, owner: String, make: (EventLoop) -> Value, start: @escaping @Sendable (Value) -> Void) {
        self.owner = owner
        self.slots = group.loops.map { Slot(loop: $0, value: make($0)) }
        for slot in slots {
            slot.loop.execute { start(slot.value) }
        }
    }

    /// The value living on `loop`. Call on `loop` only; the result must not leave it.
    func value(on loop: EventLoop) -> Value {
        precondition(loop.inEventLoop, "\(owner).connection(on:) must run on that loop")
        guard let slot = slots.first(where: { $0.loop === loop }) else {
            preconditionFailure("\(owner) has nothing on loop \(loop.index)")
        }
        return slot.value
    }

    /// Runs `body` on the next loop in turn and returns its reply (an error reply thrown as `.server`).
    func onSomeLoop(_ body: @escaping @Sendable (Value, @escaping (Result<RedisReply, RedisError>) -> Void) -> Void) async throws(RedisError) -> RedisReply {
        let slot = slots[next.add(1, ordering: .relaxed).oldValue % slots.count]
        let result = await withCheckedContinuation { (cont: CheckedContinuation<Result<RedisReply, RedisError>, Never>) in
            slot.loop.execute {
                body(slot.value) { cont.resume(returning: $0) }
            }
        }
        switch result {
        case .success(.error(let message)): throw .server(message)
        case .success(let reply): return reply
        case .failure(let error): throw error
        }
    }

    /// Runs `body` on every loop in turn; true when every one reported true.
    func onEveryLoop(_ body: @escaping @Sendable (Value, @escaping (Bool) -> Void) -> Void) async -> Bool {
        for slot in slots {
            let ok = await withCheckedContinuation { (cont: CheckedContinuation<Bool, Never>) in
                slot.loop.execute { body(slot.value) { cont.resume(returning: $0) } }
            }
            if !ok { return false }
        }
        return true
    }
}

/// What both per-loop connection kinds (`RedisConnection`, `RedisClusterConnection`) offer the facades.
protocol LoopScriptTarget: AnyObject, SendableMetatype {
    func evalScript(_ script: RedisScript, keys: [String], args: [String], timeoutNanos: UInt64?,
                    _ completion: @escaping (Result<RedisReply, RedisError>) -> Void)
    func close()
}

extension RedisConnection: LoopScriptTarget {}
extension RedisClusterConnection: LoopScriptTarget {}

extension PerLoop where Value: LoopScriptTarget {
    /// Runs a script on the next loop in turn (an error reply thrown as `.server`).
    func evalScript(_ script: RedisScript, keys: [String], args: [String], timeoutNanos: UInt64?) async throws(RedisError) -> RedisReply {
        try await onSomeLoop { value, done in value.evalScript(script, keys: keys, args: args, timeoutNanos: timeoutNanos, done) }
    }

    /// Closes every loop's value, one loop after the other; returns once all have.
    func closeAll() async {
        _ = await onEveryLoop { value, done in
            value.close()
            done(true)
        }
    }
}

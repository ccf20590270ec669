// One command waiting for its reply. hiredis holds it (retained, as the callback's privdata) until it
// calls back with a reply or with NULL (disconnect); our deadline timer may resolve it first. Whichever
// comes first wins: `resolve` runs the completion at most once.
import Reactor

/// A command in flight; loop thread only.
final class PendingReply {
    private var completion: ((Result<RedisReply, RedisError>) -> Void)?
    /// The deadline timer, if any; cancelled when the reply arrives.
    var timer: LoopTimer?

    init(_ completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        self.completion = completion
    }

    /// True until resolved.
    var isPending: Bool { completion != nil }

    /// Runs the completion if it has not run yet.
    /// - Returns: true when this call ran it.
    @discardableResult
    func resolve(_ result: Result<RedisReply, RedisError>) -> Bool {
        guard let c = completion else { return false }
        completion = nil
        timer?.cancel()
        timer = nil
        c(result)
        return true
    }
}

// One parked `GET .../state`. Answered exactly once: change (200), deadline (304), client gone
// (cancel: no answer), or drain (304). Lives on its connection's loop.
import HTTPServer
import Reactor

/// A parked poll.
final class Waiter {
    let responder: Responder
    var view: StateView
    /// This poll's own bytes of a fan-out answer (session ETag part, extra header lines — RateLimit,
    /// Preference-Applied — and session body tail), serialized once at park time. The extra headers are
    /// kept only as these lines (one allocation per poll, not an array of strings).
    var poll: PollBytes
    var timer: LoopTimer?
    /// Position in its room's array (swap-remove keeps removal O(1)).
    var index = 0
    var done = false

    init(responder: Responder, view: StateView, extraHeaders: [(String, String)]) {
        self.responder = responder
        self.view = view
        self.poll = PollBytes(sessionTag: view.sessionTagPart, extraLines: PrebuiltAnswer.lines(extraHeaders),
                              sessionTail: Waiter.sessionTail(view))
    }

    /// The session part of the body: `{...}}` or `null}`.
    static func sessionTail(_ view: StateView) -> String { (view.session?.json ?? "null") + "}" }
}

/// The parked polls of one room on one loop, and the newest room state this loop has seen for it.
final class RoomWaiters {
    var waiters: [Waiter] = []
    var latest: RoomSnapshot?
}

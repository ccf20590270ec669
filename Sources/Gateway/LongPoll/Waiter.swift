// One parked `GET .../state`. Answered exactly once: change (200), deadline (304), client gone
// (cancel: no answer), or drain (304). Lives on its connection's loop.
import Reactor

/// A parked poll.
final class Waiter {
    let responder: Responder
    var view: StateView
    /// CORS / Preference-Applied headers to repeat on the answer.
    let extraHeaders: [(String, String)]
    /// The session part of the body (`{...}}` or `null}`), serialized once at park time.
    var sessionTail: [UInt8]
    /// The session part of the ETag, serialized once at park time.
    var sessionTagPart: String
    /// The same, as bytes, and the poll's extra header lines (for the prebuilt fan-out answer).
    var sessionTagBytes: [UInt8]
    let extraLines: [UInt8]
    var timer: LoopTimer?
    /// Position in its room's array (swap-remove keeps removal O(1)).
    var index = 0
    var done = false

    init(responder: Responder, view: StateView, extraHeaders: [(String, String)]) {
        self.responder = responder
        self.view = view
        self.extraHeaders = extraHeaders
        self.sessionTail = Array(((view.session?.json ?? "null") + "}").utf8)
        self.sessionTagPart = view.sessionTagPart
        self.sessionTagBytes = Array(view.sessionTagPart.utf8)
        self.extraLines = PrebuiltAnswer.lines(extraHeaders)
    }
}

/// The parked polls of one room on one loop, and the newest room state this loop has seen for it.
final class RoomWaiters {
    var waiters: [Waiter] = []
    var latest: RoomSnapshot?
}

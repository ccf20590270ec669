// API: the HTTP/1.1 lifecycle of one connection as a pure value (SwiftNIO's HTTPServerPipelineHandler
// state, without I/O). The I/O shell (`Connection`) reports what happened — a head or body parsed, the
// parser needing more bytes, an answer ready, output drained, the peer half-closing, a timer firing, the
// drain beginning — and carries out what each `on…` returns. Rules held here and only here:
//   readingHead → (readingBody) → awaiting(seq) → readingHead … → closed
// - One request is answered at a time, in order (pipelined bytes wait in the shell's input buffer).
// - Keep-alive (RFC 9112 §9.3): an answer closes the connection when its handler asks, the request did not
//   ask to persist, or the node is retiring connections (not ready or draining).
// - One deadline at a time: `request` from the first byte of a request until it is complete (408 or, for a
//   connection that never sent a byte, a silent close), `idle` between requests (close).
// - Once an answer says `Connection: close`, nothing more is read, and the socket closes when written.
import HTTP1
import Reactor

/// The per-connection HTTP/1.1 state machine (no sockets, no clock of its own: time is passed in).
struct ConnectionStateMachine {
    /// Trivial on purpose (no payload that needs reference counting): the machine is copied and compared
    /// on every event, and a head inside it made each access a value-witness copy. The shell keeps the head
    /// of a request whose body is being read.
    enum Phase: Equatable {
        case readingHead
        case readingBody
        case awaiting(UInt64)
        case closed
    }
    enum Deadline: Equatable { case none, request, idle }

    /// Deadlines in nanoseconds.
    struct Timeouts {
        var requestNanos: UInt64
        var idleNanos: UInt64
    }

    private(set) var phase: Phase = .readingHead
    /// Requests begun on this connection (parsed, failed or timed out); the current one's number.
    private(set) var sequence: UInt64 = 0
    /// The peer sent EOF, or an answer said `Connection: close`: read nothing more.
    private(set) var readClosed = false
    /// Close once the output queue is written.
    private(set) var closeAfterWrite = false
    private(set) var deadlineKind = Deadline.none
    /// When the current deadline falls (monotonic ns); meaningful while `deadlineKind != .none`.
    private(set) var deadline: UInt64 = 0
    private var keepAlive = true
    private var isHead = false
    private var isHTTP10 = false
    let timeouts: Timeouts

    init(timeouts: Timeouts) { self.timeouts = timeouts }

    var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// True while request `seq` waits for its answer.
    func isAwaiting(_ seq: UInt64) -> Bool {
        if case .awaiting(let s) = phase { return s == seq }
        return false
    }

    // MARK: events

    /// The connection was accepted: the first request must arrive in time. Returns the deadline to arm.
    mutating func onStart(now: UInt64) -> UInt64 { arm(.request, now: now) }

    /// What the shell does after a complete head.
    enum HeadAction: Equatable {
        /// Hand request `sequence` to the application (no body).
        case dispatch(UInt64)
        /// Read the body; send `100 Continue` first when asked for.
        case readBody(send100Continue: Bool)
    }

    /// A complete head was parsed. `moreBuffered`: bytes after the head are already here.
    mutating func onHead(_ head: HTTPRequestHead, moreBuffered: Bool, draining: Bool) -> HeadAction {
        if case .none = head.framing { return .dispatch(begin(head, draining: draining)) }
        phase = .readingBody
        return .readBody(send100Continue: head.expectsContinue && !moreBuffered)
    }

    /// The body of request `head` is complete: dispatch it. Returns its number (nil: no body was being read).
    mutating func onBodyComplete(_ head: HTTPRequestHead, draining: Bool) -> UInt64? {
        guard case .readingBody = phase else { return nil }
        return begin(head, draining: draining)
    }

    /// What the shell does when the parser needs more bytes (or there are none).
    struct WaitAction: Equatable {
        /// A new deadline to arm, if any.
        var arm: UInt64?
        /// The peer is gone and cannot complete the request: close once output is written.
        var closeWhenWritten: Bool
    }

    /// The buffered bytes hold no complete head/body. `partial`: some bytes of a request are here (the
    /// request deadline runs from them).
    mutating func onNeedMore(partial: Bool, now: UInt64) -> WaitAction {
        var arm: UInt64?
        if partial, deadlineKind != .request { arm = self.arm(.request, now: now) }
        if readClosed { closeAfterWrite = true }
        return WaitAction(arm: arm, closeWhenWritten: readClosed)
    }

    /// The parser refused the bytes: answer request `sequence` (400 and close).
    mutating func onParseError() -> UInt64 { beginFailure() }

    /// What the shell does to send an answer.
    struct AnswerAction: Equatable {
        var framing: AnswerFraming
        /// The idle deadline to arm when the connection stays open.
        var arm: UInt64?
    }

    /// The answer to request `seq` is ready. nil: not the request being answered (late or duplicate).
    /// - Parameters:
    ///   - closeRequested: the handler asked to close after it.
    ///   - retiring: the node is not ready or is draining.
    mutating func onAnswer(_ seq: UInt64, closeRequested: Bool, retiring: Bool, now: UInt64) -> AnswerAction? {
        guard isAwaiting(seq) else { return nil }
        let close = closeRequested || !keepAlive || retiring
        let framing = AnswerFraming(close: close, http10KeepAlive: isHTTP10, omitBody: isHead)
        phase = .readingHead
        var arm: UInt64?
        if close {
            closeAfterWrite = true
            readClosed = true
        } else {
            arm = self.arm(.idle, now: now)
        }
        return AnswerAction(framing: framing, arm: arm)
    }

    /// An answer went out with `Connection: close` although its framing did not ask (the handler's answer
    /// could not be encoded and a fallback was sent): close once written.
    mutating func onForcedClose() {
        closeAfterWrite = true
        readClosed = true
    }

    /// The peer sent EOF. Returns true when a parked request (one with a cancel handler) should be
    /// cancelled by closing now rather than at its deadline.
    mutating func onPeerClosed(parked: Bool) -> Bool {
        readClosed = true
        if case .awaiting = phase { return parked }
        return false
    }

    /// Everything queued was written. Returns true when the connection should close now.
    func onOutputDrained() -> Bool { closeAfterWrite }

    /// What the shell does when the deadline timer fires.
    enum TimerAction: Equatable {
        case none
        /// The deadline moved later meanwhile: arm again for it.
        case rearm(UInt64)
        /// Close the socket (idle, or a connection that never sent a byte).
        case close
        /// Answer request `sequence` with 408 (and close).
        case timeout(UInt64)
    }

    /// The timer fired at `now`. `inputEmpty`: no request bytes are buffered.
    mutating func onTimer(now: UInt64, inputEmpty: Bool) -> TimerAction {
        if isClosed || deadlineKind == .none { return .none }
        if now < deadline { return .rearm(deadline) }
        let kind = deadlineKind
        deadlineKind = .none
        switch (kind, phase) {
        case (.request, .readingHead) where inputEmpty && sequence == 0:
            return .close
        case (.request, .readingHead), (.request, .readingBody):
            return .timeout(beginFailure())
        case (.idle, .readingHead) where inputEmpty:
            return .close
        default:
            return .none
        }
    }

    /// What the shell does when the node starts draining.
    enum DrainAction: Equatable {
        /// Nothing now: the request in progress is answered with `Connection: close`.
        case none
        /// Idle: read once more (a request may already sit in the kernel's buffer), then `onDrainRead`.
        case readOnceMore
    }

    mutating func onDrain(inputEmpty: Bool) -> DrainAction {
        keepAlive = false
        if case .readingHead = phase, inputEmpty { return .readOnceMore }
        return .none
    }

    /// After the drain's extra read. Returns true when the connection should close once written (nothing
    /// arrived); false when a request arrived and is to be served (its answer closes the connection).
    mutating func onDrainRead(inputEmpty: Bool) -> Bool {
        guard inputEmpty else { return false }
        closeAfterWrite = true
        return true
    }

    /// The socket is closing. Returns false when it was already closed.
    mutating func onClose() -> Bool {
        if isClosed { return false }
        phase = .closed
        deadlineKind = .none
        return true
    }

    // MARK: interest

    /// What to listen for, given the bytes queued each way (back-pressure both ways).
    func interest(pendingOutput: Int, bufferedInput: Int, maxQueuedOutput: Int, maxBufferedInput: Int) -> IOEvents {
        var want: IOEvents = []
        if pendingOutput > 0 { want.insert(.writable) }
        if !readClosed {
            want.insert(.readHangup)
            if pendingOutput <= maxQueuedOutput && bufferedInput < maxBufferedInput { want.insert(.readable) }
        }
        return want
    }

    // MARK: private

    private mutating func begin(_ head: HTTPRequestHead, draining: Bool) -> UInt64 {
        sequence &+= 1
        phase = .awaiting(sequence)
        deadlineKind = .none
        isHead = head.method == .head
        isHTTP10 = head.version.minor == 0
        keepAlive = head.keepAlive && !draining
        return sequence
    }

    private mutating func beginFailure() -> UInt64 {
        sequence &+= 1
        phase = .awaiting(sequence)
        isHead = false
        isHTTP10 = false
        keepAlive = false
        return sequence
    }

    private mutating func arm(_ kind: Deadline, now: UInt64) -> UInt64 {
        deadlineKind = kind
        deadline = now &+ (kind == .idle ? timeouts.idleNanos : timeouts.requestNanos)
        return deadline
    }
}

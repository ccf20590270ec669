// The per-connection HTTP/1.1 lifecycle without sockets: every event in every phase, with time passed in.
import HTTP1
import Reactor
import Testing
@testable import HTTPServer

@Suite struct ConnectionStateMachineTests {
    static let timeouts = ConnectionStateMachine.Timeouts(requestNanos: 10_000, idleNanos: 75_000)
    static func get(_ path: String = "/", version: HTTPVersion = .http1_1, keepAlive: Bool = true, method: HTTPMethod = .get) -> HTTPRequestHead {
        HTTPRequestHead(method: method, version: version, path: path, keepAlive: keepAlive)
    }
    static func post(length: Int, expectsContinue: Bool = false) -> HTTPRequestHead {
        HTTPRequestHead(method: .post, path: "/echo", expectsContinue: expectsContinue, framing: .contentLength(length))
    }

    @Test func startArmsTheRequestDeadline() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(m.onStart(now: 100) == 10_100)
        #expect(m.deadlineKind == .request && m.phase == .readingHead && m.sequence == 0)
    }

    @Test func aBodilessRequestIsDispatchedAndItsAnswerKeepsTheConnection() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onStart(now: 0)
        #expect(m.onHead(Self.get(), moreBuffered: false, draining: false) == .dispatch(1))
        #expect(m.isAwaiting(1) && !m.isAwaiting(2) && m.deadlineKind == .none)
        let a = m.onAnswer(1, closeRequested: false, retiring: false, now: 500)
        #expect(a == .init(framing: AnswerFraming(close: false, http10KeepAlive: false, omitBody: false), arm: 75_500))
        #expect(m.phase == .readingHead && m.deadlineKind == .idle && !m.closeAfterWrite && !m.onOutputDrained())
    }

    @Test func aSecondOrLateAnswerIsIgnored() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(m.onAnswer(1, closeRequested: false, retiring: false, now: 0) != nil)
        #expect(m.onAnswer(1, closeRequested: false, retiring: false, now: 0) == nil, "answered twice")
        _ = m.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(m.onAnswer(1, closeRequested: false, retiring: false, now: 0) == nil, "an answer for the previous request")
        #expect(m.onAnswer(2, closeRequested: false, retiring: false, now: 0) != nil)
    }

    @Test(arguments: [
        // (keepAlive asked, handler asks close, retiring) -> closes
        (true, false, false, false), (false, false, false, true), (true, true, false, true), (true, false, true, true),
    ])
    func keepAliveRule(_ keepAlive: Bool, _ closeRequested: Bool, _ retiring: Bool, _ closes: Bool) {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(keepAlive: keepAlive), moreBuffered: false, draining: false)
        let a = m.onAnswer(1, closeRequested: closeRequested, retiring: retiring, now: 0)
        #expect(a?.framing.close == closes)
        #expect((a?.arm == nil) == closes, "an idle deadline only while the connection stays")
        #expect(m.closeAfterWrite == closes && m.onOutputDrained() == closes)
        #expect(m.interest(pendingOutput: 0, bufferedInput: 0, maxQueuedOutput: 10, maxBufferedInput: 10).contains(.readable) == !closes,
                "nothing more is read after Connection: close")
    }

    @Test func http10KeepAliveAndHeadAreFramed() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(version: .http1_0, keepAlive: true, method: .head), moreBuffered: false, draining: false)
        let f = m.onAnswer(1, closeRequested: false, retiring: false, now: 0)?.framing
        #expect(f == AnswerFraming(close: false, http10KeepAlive: true, omitBody: true))
        #expect(f?.connectionHeader == .keepAlive)
        #expect(AnswerFraming(close: true, http10KeepAlive: true, omitBody: false).connectionHeader == .close)
        #expect(AnswerFraming(close: false, http10KeepAlive: false, omitBody: false).connectionHeader == .omit)
    }

    @Test func aDrainingNodeDispatchesWithoutKeepAlive() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(), moreBuffered: false, draining: true)
        #expect(m.onAnswer(1, closeRequested: false, retiring: false, now: 0)?.framing.close == true)
    }

    @Test func bodiesAreReadBeforeDispatchWith100ContinueOnlyWhenNothingFollows() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(m.onHead(Self.post(length: 3, expectsContinue: true), moreBuffered: false, draining: false) == .readBody(send100Continue: true))
        #expect(m.sequence == 0, "not dispatched before its body")
        #expect(m.onBodyComplete(Self.post(length: 3), draining: false) == 1 && m.isAwaiting(1))
        var n = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(n.onHead(Self.post(length: 3, expectsContinue: true), moreBuffered: true, draining: false) == .readBody(send100Continue: false))
        #expect(n.onHead(Self.post(length: 3), moreBuffered: false, draining: false) == .readBody(send100Continue: false))
        var idle = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(idle.onBodyComplete(Self.post(length: 3), draining: false) == nil, "no body is being read")
    }

    @Test func partialBytesStartTheRequestDeadlineOnceAndAGonePeerClosesTheConnection() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(), moreBuffered: false, draining: false)
        _ = m.onAnswer(1, closeRequested: false, retiring: false, now: 0)  // idle deadline now
        #expect(m.onNeedMore(partial: false, now: 5) == .init(arm: nil, closeWhenWritten: false), "no bytes: the idle deadline stays")
        #expect(m.onNeedMore(partial: true, now: 5) == .init(arm: 10_005, closeWhenWritten: false))
        #expect(m.onNeedMore(partial: true, now: 9) == .init(arm: nil, closeWhenWritten: false), "the first byte's deadline holds")
        #expect(m.onPeerClosed(parked: false) == false)
        #expect(m.onNeedMore(partial: true, now: 9) == .init(arm: nil, closeWhenWritten: true))
        #expect(m.onOutputDrained())
    }

    @Test func aParkedRequestWhoseClientLeftIsCancelledButABusyOneIsNot() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(m.onPeerClosed(parked: true) == true)
        var busy = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = busy.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(busy.onPeerClosed(parked: false) == false, "its answer is still written")
        var idle = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(idle.onPeerClosed(parked: true) == false, "nothing awaits an answer")
    }

    @Test func parseErrorsAndTimeoutsBecomeClosingAnswers() {
        var m = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = m.onHead(Self.get(version: .http1_0, keepAlive: true), moreBuffered: false, draining: false)
        _ = m.onAnswer(1, closeRequested: false, retiring: false, now: 0)
        let seq = m.onParseError()
        #expect(seq == 2 && m.isAwaiting(2))
        #expect(m.onAnswer(2, closeRequested: false, retiring: false, now: 0)?.framing == AnswerFraming(close: true, http10KeepAlive: false, omitBody: false))
    }

    @Test func timers() {
        // A connection that never sent a byte closes silently at its request deadline.
        var silent = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = silent.onStart(now: 0)
        #expect(silent.onTimer(now: 9_999, inputEmpty: true) == .rearm(10_000), "fired early: arm again")
        #expect(silent.onTimer(now: 10_000, inputEmpty: true) == .close)
        // A slow head: 408.
        var slow = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = slow.onStart(now: 0)
        #expect(slow.onTimer(now: 10_000, inputEmpty: false) == .timeout(1))
        #expect(slow.isAwaiting(1))
        // A slow body: 408 too.
        var body = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = body.onStart(now: 0)
        _ = body.onHead(Self.post(length: 9), moreBuffered: false, draining: false)
        #expect(body.onTimer(now: 10_000, inputEmpty: true) == .timeout(1))
        // Idle keep-alive: close; with bytes of a next request the request deadline has replaced it.
        var idle = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = idle.onHead(Self.get(), moreBuffered: false, draining: false)
        _ = idle.onAnswer(1, closeRequested: false, retiring: false, now: 0)
        #expect(idle.onTimer(now: 75_000, inputEmpty: true) == .close)
        // While a request awaits its answer no deadline runs (long-polls have their own).
        var parked = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = parked.onStart(now: 0)
        _ = parked.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(parked.onTimer(now: 1_000_000, inputEmpty: true) == .none)
        // Closed: nothing.
        var closed = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = closed.onStart(now: 0)
        #expect(closed.onClose() && !closed.onClose(), "closes once")
        #expect(closed.onTimer(now: 1_000_000, inputEmpty: true) == .none)
    }

    @Test func drain() {
        // Idle: read once more; nothing came -> close once written.
        var idle = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(idle.onDrain(inputEmpty: true) == .readOnceMore)
        #expect(idle.onDrainRead(inputEmpty: true) == true && idle.onOutputDrained())
        // Idle, and a request had arrived: serve it, its answer closes.
        var late = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(late.onDrain(inputEmpty: true) == .readOnceMore)
        #expect(late.onDrainRead(inputEmpty: false) == false)
        _ = late.onHead(Self.get(), moreBuffered: false, draining: true)
        #expect(late.onAnswer(1, closeRequested: false, retiring: true, now: 0)?.framing.close == true)
        // Busy: its answer closes the connection.
        var busy = ConnectionStateMachine(timeouts: Self.timeouts)
        _ = busy.onHead(Self.get(), moreBuffered: false, draining: false)
        #expect(busy.onDrain(inputEmpty: true) == .none)
        #expect(busy.onAnswer(1, closeRequested: false, retiring: false, now: 0)?.framing.close == true, "keep-alive ended by the drain")
        // Half a request buffered: no extra read; the request's answer will close.
        var partial = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(partial.onDrain(inputEmpty: false) == .none)
    }

    @Test func interestFollowsBackPressureBothWays() {
        let m = ConnectionStateMachine(timeouts: Self.timeouts)
        #expect(m.interest(pendingOutput: 0, bufferedInput: 0, maxQueuedOutput: 100, maxBufferedInput: 100) == [.readable, .readHangup])
        #expect(m.interest(pendingOutput: 5, bufferedInput: 0, maxQueuedOutput: 100, maxBufferedInput: 100) == [.readable, .readHangup, .writable])
        #expect(m.interest(pendingOutput: 101, bufferedInput: 0, maxQueuedOutput: 100, maxBufferedInput: 100) == [.readHangup, .writable],
                "a client that does not read is not read from")
        #expect(m.interest(pendingOutput: 0, bufferedInput: 100, maxQueuedOutput: 100, maxBufferedInput: 100) == [.readHangup])
        var closed = m
        _ = closed.onPeerClosed(parked: false)
        #expect(closed.interest(pendingOutput: 5, bufferedInput: 0, maxQueuedOutput: 100, maxBufferedInput: 100) == [.writable])
    }
}

// API: one client connection, owned by its loop: the thin I/O shell around `ConnectionStateMachine`.
// It reads into `input` (bounded by `maxBufferedRequestBytes`), runs the parser, tells the state machine
// what happened and carries out what it answers: dispatch to the application, frame answers
// (`ResponseFraming`), write, arm the one deadline timer, close. Output is written as the socket allows;
// past `maxQueuedResponseBytes` the connection stops reading (back-pressure), so a client that never
// reads cannot grow the node's memory. A parked request's cancel handler runs exactly once if the client
// leaves (EPOLLRDHUP) or the connection closes.
import HTTP1
import Reactor

/// A client connection (loop thread only).
final class Connection: IOHandler, ResponderTarget {
    private let fd: Int32
    private let server: ServerLoop
    private var registration: Registration?
    private var machine: ConnectionStateMachine
    private var parser: HTTPRequestParser
    private var input = ByteQueue()
    private var body: [UInt8] = []
    /// The head of the request whose body is being read.
    private var bodyHead: HTTPRequestHead?
    private var output = SocketOutput()
    private var interest: IOEvents = [.readable, .readHangup]
    private var timer: LoopTimer?
    private var processing = false
    // The exchange being answered.
    private var cancelHandler: (() -> Void)?
    private var tag: AnyObject?
    private var answerFields: [(String, String)] = []
    private var startNanos: UInt64 = 0
    /// The TCP peer (a proxy when behind a load balancer).
    private let peerAddress: String

    init(fd: Int32, server: ServerLoop) {
        self.fd = fd
        self.server = server
        self.peerAddress = Socket.peerAddress(fd)
        self.parser = HTTPRequestParser(limits: server.configuration.httpLimits)
        self.machine = ConnectionStateMachine(timeouts: .init(requestNanos: nanos(seconds: server.configuration.headerTimeoutSeconds),
                                                              idleNanos: nanos(seconds: server.configuration.idleTimeoutSeconds)))
    }

    /// Response bytes queued in user space.
    var queuedOutputBytes: Int { output.count }
    /// Request bytes buffered in user space.
    var bufferedInputBytes: Int { input.count }

    func start() throws(IOError) {
        registration = try server.loop.register(fd: fd, interest: interest, handler: self)
        server.connectionOpened(self)
        arm(machine.onStart(now: server.loop.now))
    }

    // MARK: I/O events

    func handleIO(_ events: IOEvents) {
        server.loop.assertInEventLoop()
        if events.contains(.error) || (events.contains(.hangup) && !events.contains(.readable)) { return close() }
        if events.contains(.writable) {
            flush()
            if machine.isClosed { return }
        }
        if events.contains(.readable) || events.contains(.readHangup) {
            readAvailable()
            if machine.isClosed { return }
            processInput()
        }
        updateInterest()
    }

    /// Reads what the socket has (up to the input bound); EOF is reported to the state machine.
    private func readAvailable() {
        let buffer = server.loop.readBuffer
        while true {
            let result: IOResult<Int>
            do { result = try Socket.read(fd, into: buffer) } catch { return close() }
            guard case .processed(let n) = result else { return }
            if n == 0 {
                // A parked request whose client left: free its slot now, not at its deadline.
                if machine.onPeerClosed(parked: cancelHandler != nil) { close() }
                return
            }
            input.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if n < buffer.count || input.count >= server.configuration.maxBufferedRequestBytes { return }
        }
    }

    // MARK: request processing

    /// Parses and dispatches as many buffered requests as the state allows.
    private func processInput() {
        if processing { return }
        processing = true
        defer { processing = false }
        while output.count <= server.configuration.maxQueuedResponseBytes, !machine.isClosed {
            switch machine.phase {
            case .closed, .awaiting:
                return compactInput()
            case .readingHead:
                if input.isEmpty { return waitForMore(partial: false) }
                let result: HeadResult
                do { result = try parser.parseHead(input.bytes, from: input.start) } catch { return failParse(error) }
                guard case .head(let head, let consumed) = result else { return waitForMore(partial: true) }
                input.consume(consumed)
                switch machine.onHead(head, moreBuffered: !input.isEmpty, draining: server.state.draining.load(ordering: .relaxed)) {
                case .dispatch(let seq):
                    dispatch(head, seq)
                case .readBody(let send100):
                    bodyHead = head
                    if send100 {
                        output.append(HTTPResponseEncoder.continue100())
                        flush()
                    }
                }
            case .readingBody:
                let result: BodyResult
                do { result = try parser.parseBody(input.bytes, from: input.start, into: &body) } catch { return failParse(error) }
                input.consume(result.consumed)
                guard result.complete, let head = bodyHead,
                      let seq = machine.onBodyComplete(head, draining: server.state.draining.load(ordering: .relaxed)) else {
                    return waitForMore(partial: true)
                }
                bodyHead = nil
                dispatch(head, seq)
            }
        }
        compactInput()
    }

    private func waitForMore(partial: Bool) {
        let action = machine.onNeedMore(partial: partial, now: server.loop.now)
        if let at = action.arm { arm(at) }
        if action.closeWhenWritten, output.isEmpty { return close() }
        compactInput()
    }

    private func compactInput() {
        input.compact(compactAfter: 4096, keepCapacity: 16 * 1024)
    }

    private func dispatch(_ head: HTTPRequestHead, _ seq: UInt64) {
        let requestBody = body
        body = []
        (tag, answerFields, startNanos) = (nil, [], server.loop.now)
        server.requestsDispatched &+= 1
        var request = Request(head: head, body: requestBody, loop: server.loop, peerAddress: peerAddress)
        server.application.handle(&request, Responder(target: self, sequence: seq))
    }

    private func failParse(_ error: HTTPParseError) {
        answerFailure(.malformed(error), machine.onParseError())
    }

    /// The core's own answer (400 for bad bytes, 408 for a late request), through the application's words.
    private func answerFailure(_ failure: RequestFailure, _ seq: UInt64) {
        (tag, answerFields, startNanos) = (nil, [], server.loop.now)
        var response = server.application.failureResponse(failure)
        response.closeConnection = true
        send(seq, response, failure: failure)
    }

    // MARK: answers (ResponderTarget)

    func isAwaiting(sequence seq: UInt64) -> Bool { machine.isAwaiting(seq) }

    func setCancelHandler(sequence seq: UInt64, _ body: @escaping () -> Void) {
        if machine.isAwaiting(seq) { cancelHandler = body }
    }

    func describe(sequence seq: UInt64, tag: AnyObject?, fields: [(String, String)]) {
        if machine.isAwaiting(seq) { (self.tag, answerFields) = (tag, fields) }
    }

    func respond(sequence seq: UInt64, _ response: HTTPResponse) { send(seq, response, failure: nil) }

    private func send(_ seq: UInt64, _ response: HTTPResponse, failure: RequestFailure?) {
        guard let action = beginAnswer(seq, status: response.status, closeRequested: response.closeConnection, failure: failure) else { return }
        let date = server.dateHeaderValue
        if !output.append(response, fields: answerFields, action.framing, date: date) {
            let fallback = server.application.failureResponse(.unencodable(status: response.status))
            output.withBytes { ResponseFraming.fallback(fallback, action.framing, date: date, to: &$0) }
            machine.onForcedClose()
        }
        finishAnswer(action)
    }

    func respond(sequence seq: UInt64, prewritten answer: any PrewrittenResponse) {
        guard let action = beginAnswer(seq, status: answer.status, closeRequested: false, failure: nil) else { return }
        var scratch = server.scratch
        scratch.reset()
        let fields = answerFields, date = server.dateHeaderValue
        ResponseFraming.write(answer, fields: fields, action.framing, date: date, into: &scratch)
        if scratch.overflowed {
            output.withBytes { ResponseFraming.write(answer, fields: fields, action.framing, date: date, into: &$0) }
        } else {
            guard output.send(fd, scratch.written) else { return close() }  // the peer is gone
        }
        finishAnswer(action)
    }

    private func beginAnswer(_ seq: UInt64, status: Int, closeRequested: Bool, failure: RequestFailure?) -> ConnectionStateMachine.AnswerAction? {
        guard let action = machine.onAnswer(seq, closeRequested: closeRequested, retiring: server.state.retiring, now: server.loop.now) else {
            return nil
        }
        cancelHandler = nil
        server.application.answered(AnsweredExchange(status: status, startNanos: startNanos, tag: tag, failure: failure))
        return action
    }

    private func finishAnswer(_ action: ConnectionStateMachine.AnswerAction) {
        (tag, answerFields) = (nil, [])
        parser.reset()
        if let at = action.arm { arm(at) }
        flush()
        if machine.isClosed { return }
        if !processing {
            processInput()
            updateInterest()
        }
    }

    // MARK: drain

    /// Node is draining: an idle connection closes now; a busy one closes after its answer.
    func drain() {
        guard machine.onDrain(inputEmpty: input.isEmpty) == .readOnceMore else { return }
        // A request may already sit in the kernel's buffer: read it and answer it (with close) instead of
        // resetting the peer by closing over unread data.
        readAvailable()
        if machine.isClosed { return }
        if machine.onDrainRead(inputEmpty: input.isEmpty) {
            if output.isEmpty { close() }
            return
        }
        processInput()
        updateInterest()
    }

    // MARK: output, interest, deadline, close

    /// Writes queued output until done or the socket would block.
    private func flush() {
        switch output.flush(fd) {
        case .failed: return close()
        case .drained: if machine.onOutputDrained() { return close() }
        case .blocked: break
        }
        updateInterest()
    }

    /// Re-arms epoll for what the connection wants now.
    private func updateInterest() {
        guard let reg = registration else { return }
        let want = machine.interest(pendingOutput: output.count, bufferedInput: input.count,
                                    maxQueuedOutput: server.configuration.maxQueuedResponseBytes,
                                    maxBufferedInput: server.configuration.maxBufferedRequestBytes)
        if want != interest {
            interest = want
            do { try server.loop.reregister(reg, interest: want) } catch { close() }
        }
    }

    /// One lazy timer serves the machine's single deadline: kept when it fires no later than `deadline`.
    private func arm(_ deadline: UInt64) {
        if let t = timer, t.isPending, t.deadline <= deadline { return }
        timer?.cancel()
        // Strong capture on purpose: close() cancels the timer (releasing this closure) and a fired timer
        // drops it, so there is no lasting cycle; a weak capture would give every Connection a side table
        // and the slow reference-counting path on every retain/release (seen on the fan-out profile).
        timer = server.loop.schedule(at: deadline) { [self] in self.timerFired() }
    }

    private func timerFired() {
        timer = nil
        switch machine.onTimer(now: server.loop.clock.nowNanos(), inputEmpty: input.isEmpty) {
        case .none: return
        case .rearm(let at): arm(at)
        case .close: close()
        case .timeout(let seq): answerFailure(.timedOut, seq)
        }
    }

    /// Closes the socket, runs a pending cancel handler, forgets the connection.
    func close() {
        guard machine.onClose() else { return }
        timer?.cancel()
        timer = nil
        if let reg = registration { server.loop.deregister(reg) }
        registration = nil
        Socket.close(fd)
        server.connectionClosed(self)
        input.release()
        output.release()
        if let cancel = cancelHandler {
            cancelHandler = nil
            cancel()
        }
    }
}

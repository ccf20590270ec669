// API: one client connection, owned by its loop. A small state machine:
//   readingHead → (readingBody) → awaiting(seq) → readingHead ... → closed
// One request is handled at a time, so pipelined requests are answered in order; the bytes of later
// ones wait in `input` (bounded by `maxBufferedRequestBytes`). Output is queued and written as the
// socket allows; past `maxQueuedResponseBytes` the connection stops reading (back-pressure), so a
// client that never reads cannot grow the node's memory. One lazy timer per connection covers the
// request-read deadline (408, slowloris) and the idle keep-alive deadline. A parked request's cancel
// handler runs exactly once if the client leaves (EPOLLRDHUP) or the node drains.
import HTTP1
import Reactor

/// A client connection (loop thread only).
final class Connection: IOHandler {
    enum State {
        case readingHead
        case readingBody(HTTPRequestHead)
        case awaiting(UInt64)
        case closed
    }
    enum DeadlineKind { case none, request, idle }

    let fd: Int32
    let context: LoopContext
    var registration: Registration?
    var state: State = .readingHead
    var parser: HTTPRequestParser
    var input: [UInt8] = []
    var inputStart = 0
    var body: [UInt8] = []
    var output: [UInt8] = []
    var outputStart = 0
    var interest: IOEvents = [.readable, .readHangup]
    var sequence: UInt64 = 0
    var cancelHandler: (() -> Void)?
    var currentIsHead = false
    var currentKeepAlive = true
    var currentIsHTTP10 = false
    /// The allowed Origin of the request being answered (CORS headers go on its answer).
    var currentOrigin: String?
    /// Route label and start time of the request being answered (metrics, access log).
    var currentRoute = "unmatched"
    var currentSlot: RouteSlot?
    var currentStart: UInt64 = 0
    var currentMethod = ""
    var currentPath = ""
    var currentClient = ""
    var peerClosed = false
    var closeAfterWrite = false
    var processing = false
    var deadlineKind = DeadlineKind.none
    var deadline: UInt64 = 0
    var timer: LoopTimer?

    /// The TCP peer (a proxy when behind a load balancer).
    let peerAddress: String

    init(fd: Int32, context: LoopContext) {
        self.fd = fd
        self.peerAddress = Socket.peerAddress(fd)
        self.context = context
        self.parser = HTTPRequestParser(limits: context.configuration.httpLimits)
    }

    func start() throws(IOError) {
        registration = try context.loop.register(fd: fd, interest: interest, handler: self)
        context.connections[ObjectIdentifier(self)] = self
        context.state.openConnections.add(1, ordering: .relaxed)
        armDeadline(.request, seconds: context.configuration.headerTimeoutSeconds)
    }

    // MARK: I/O events

    func handleIO(_ events: IOEvents) {
        if events.contains(.error) || (events.contains(.hangup) && !events.contains(.readable)) {
            close()
            return
        }
        if events.contains(.writable) {
            flush()
            if case .closed = state { return }
        }
        if events.contains(.readable) || events.contains(.readHangup) {
            readAvailable()
            if case .closed = state { return }
            if peerClosed, case .awaiting = state, cancelHandler != nil {
                // A parked request whose client left: free its slot now, not at its deadline.
                close()
                return
            }
            processInput()
        }
        updateInterest()
    }

    private func readAvailable() {
        let buffer = context.loop.readBuffer
        while true {
            let result: IOResult<Int>
            do {
                result = try Socket.read(fd, into: buffer)
            } catch {
                close()
                return
            }
            guard case .processed(let n) = result else { return }
            if n == 0 {
                peerClosed = true
                return
            }
            if let base = buffer.baseAddress {
                // Typed pointer: Array's contiguous (memcpy) append path; a raw buffer would go byte by byte.
                input.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: n))
            }
            if n < buffer.count || input.count - inputStart >= context.configuration.maxBufferedRequestBytes { return }
        }
    }

    // MARK: request processing

    /// Parses and dispatches as many buffered requests as the state allows.
    func processInput() {
        if processing { return }
        processing = true
        defer { processing = false }
        loop: while true {
            if output.count - outputStart > context.configuration.maxQueuedResponseBytes { break }
            switch state {
            case .closed, .awaiting:
                break loop
            case .readingHead:
                if inputStart == input.count {
                    if peerClosed { closeWhenWritten() }
                    break loop
                }
                let result: HeadResult
                do {
                    result = try parseHead()
                } catch {
                    failParse(error)
                    return
                }
                switch result {
                case .needMore:
                    if deadlineKind != .request { armDeadline(.request, seconds: context.configuration.headerTimeoutSeconds) }
                    if peerClosed { closeWhenWritten() }
                    break loop
                case .head(let head, let consumed):
                    inputStart += consumed
                    if case .none = head.framing {
                        dispatch(head)
                    } else {
                        state = .readingBody(head)
                        if head.expectsContinue && inputStart == input.count {
                            output.append(contentsOf: HTTPResponseEncoder.continue100())
                            flush()
                        }
                    }
                }
            case .readingBody(let head):
                let result: BodyResult
                do {
                    result = try parseBody()
                } catch {
                    failParse(error)
                    return
                }
                inputStart += result.consumed
                if result.complete {
                    dispatch(head)
                } else {
                    if deadlineKind != .request { armDeadline(.request, seconds: context.configuration.headerTimeoutSeconds) }
                    if peerClosed { closeWhenWritten() }
                    break loop
                }
            }
        }
        compactInput()
    }

    private func parseHead() throws(HTTPParseError) -> HeadResult {
        try parser.parseHead(input, from: inputStart)
    }

    private func parseBody() throws(HTTPParseError) -> BodyResult {
        try parser.parseBody(input, from: inputStart, into: &body)
    }

    private func compactInput() {
        if inputStart == input.count {
            if input.capacity > 16 * 1024 { input = [] } else { input.removeAll(keepingCapacity: true) }
            inputStart = 0
        } else if inputStart >= 4096 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    private func dispatch(_ head: HTTPRequestHead) {
        sequence &+= 1
        let seq = sequence
        state = .awaiting(seq)
        deadlineKind = .none
        currentIsHead = head.method == .head
        currentIsHTTP10 = head.version.minor == 0
        currentKeepAlive = head.keepAlive && !context.state.draining.load(ordering: .relaxed)
        let requestBody = body
        body = []
        context.requestsDispatched &+= 1
        let responder = Responder(connection: self, sequence: seq)
        currentStart = context.loop.now
        currentRoute = "unmatched"
        currentSlot = nil
        if context.configuration.accessLog {
            currentMethod = head.method.rawValue
            currentPath = head.path
            currentClient = ClientAddress.of(peer: peerAddress, forwardedFor: head.headers.values("x-forwarded-for"),
                                             trusted: context.configuration.trustedProxies)
        }
        currentOrigin = context.cors.allowedOrigin(head)
        if context.cors.isPreflight(head) {
            currentOrigin = nil  // the preflight answer carries its own CORS fields
            responder.respond(context.cors.preflight(head))
            return
        }
        switch context.router.match(head.method, path: head.path) {
        case .found(let handler, let params, let label):
            currentRoute = label
            currentSlot = context.stats.slot(label)
            var request = Request(head: head, body: requestBody, loop: context.loop)
            request.pathParameters = params
            request.peerAddress = peerAddress
            handler.handle(request, responder)
        case .methodNotAllowed(let allow):
            responder.fail(.methodNotAllowed(allow: allow))
        case .notFound:
            responder.fail(.notFound)
        }
    }

    private func failParse(_ error: HTTPParseError) {
        let problem = Problem(status: error.status, slug: "bad-request", title: error.title, closeConnection: true)
        sequence &+= 1
        state = .awaiting(sequence)
        currentIsHead = false
        currentKeepAlive = false
        currentOrigin = nil
        currentRoute = "invalid"
        currentSlot = nil
        currentStart = context.loop.now
        respond(sequence: sequence, problem.response)
    }

    // MARK: answers (called through Responder)

    func isAwaiting(sequence seq: UInt64) -> Bool {
        if case .awaiting(let s) = state { return s == seq }
        return false
    }

    func setCancelHandler(sequence seq: UInt64, _ body: @escaping () -> Void) {
        guard isAwaiting(sequence: seq) else { return }
        cancelHandler = body
    }

    func respond(sequence seq: UInt64, _ response: HTTPResponse) {
        guard isAwaiting(sequence: seq) else { return }
        let close = closesAfter(response.closeConnection)
        var response = response
        if let origin = currentOrigin {
            response.headers += context.cors.headers(for: origin)
        }
        record(response.status)
        ResponseWriter.append(response, to: &output, date: context.dateHeaderValue, close: close, omitBody: currentIsHead,
                              http10KeepAlive: currentIsHTTP10)
        finishAnswer(close: close)
    }

    /// Whether the connection closes after this answer. Not ready (drain delay) or draining: every
    /// answer retires its connection cleanly.
    func closesAfter(_ asked: Bool) -> Bool {
        asked || !currentKeepAlive || context.state.draining.load(ordering: .relaxed) || context.state.notReady.load(ordering: .relaxed)
    }

    func record(_ status: Int) {
        cancelHandler = nil
        let seconds = Double(context.loop.clock.nowNanos() &- currentStart) / 1e9
        context.stats.request(currentSlot ?? context.stats.slot(currentRoute), code: status, seconds: seconds)
        if context.configuration.accessLog { accessLog(status, seconds) }
    }

    func finishAnswer(close: Bool) {
        currentOrigin = nil
        parser.reset()
        state = .readingHead
        if close {
            closeAfterWrite = true
            peerClosed = true  // read nothing more
        } else {
            armDeadline(.idle, seconds: context.configuration.idleTimeoutSeconds)
        }
        flush()
        if case .closed = state { return }
        if !processing {
            processInput()
            updateInterest()
        }
    }

    /// Node is draining: an idle connection closes now; a busy one closes after its answer; a parked one is cancelled.
    func drain() {
        switch state {
        case .readingHead where inputStart == input.count:
            // A request may already sit in the kernel's buffer: read it and answer it (with close)
            // instead of resetting the peer by closing over unread data.
            readAvailable()
            if case .closed = state { return }
            if inputStart < input.count {
                currentKeepAlive = false
                processInput()
                updateInterest()
                return
            }
            closeWhenWritten()
        case .awaiting:
            currentKeepAlive = false
        default:
            currentKeepAlive = false
        }
    }

    private func accessLog(_ status: Int, _ seconds: Double) {
        Log.info("request", [("method", currentMethod), ("path", currentPath), ("route", currentRoute), ("status", String(status)),
                             ("ms", String(Int(seconds * 1000))), ("client", currentClient), ("peer", peerAddress)])
    }

    private func closeWhenWritten() {
        closeAfterWrite = true
        if outputStart == output.count { close() }
    }
}

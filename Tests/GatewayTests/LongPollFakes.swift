// Socket-free doubles for the long-poll unit tests: a responder target that records every answer (a
// second one too, so "answered exactly once" can fail), a loop driven by hand on a manual clock, and
// the polls' inputs.
import Testing
@testable import Gateway
@testable import HTTPServer
import Reactor

/// Records every answer, cancel handler and open request of the polls it serves.
final class FakeResponderTarget: ResponderTarget {
    /// One answer as the client would see it (a prewritten one turned into its header lines and body).
    struct Answer {
        let sequence: UInt64
        let status: Int
        let headers: [(String, String)]
        let body: String
        let prewritten: Bool

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private(set) var answers: [Answer] = []
    private var cancelHandlers: [UInt64: () -> Void] = [:]
    private var open: Set<UInt64> = []
    private var next: UInt64 = 0

    /// A responder for a new request.
    func responder() -> Responder {
        next += 1
        open.insert(next)
        return Responder(target: self, sequence: next)
    }

    /// The answers request `sequence` got (more than one is a bug).
    func answers(_ sequence: UInt64) -> [Answer] { answers.filter { $0.sequence == sequence } }

    /// The client of request `sequence` goes away: its cancel handler runs, as the connection does it.
    func cancel(_ sequence: UInt64) {
        open.remove(sequence)
        cancelHandlers.removeValue(forKey: sequence)?()
    }

    func respond(sequence: UInt64, _ response: HTTPResponse) {
        open.remove(sequence)
        let body: [UInt8]
        switch response.body {
        case .empty: body = []
        case .bytes(let b): body = b
        case .shared(let s): body = s.bytes
        }
        answers.append(Answer(sequence: sequence, status: response.status, headers: response.headers,
                              body: String(decoding: body, as: UTF8.self), prewritten: false))
    }

    func respond(sequence: UInt64, prewritten answer: any PrewrittenResponse) {
        open.remove(sequence)
        var fields: [UInt8] = []
        answer.writeFields { fields.append(contentsOf: $0) }
        var body: [UInt8] = []
        answer.writeBody { body.append(contentsOf: $0) }
        #expect(body.count == answer.bodyCount, "bodyCount matches the body written")
        #expect(fields.isEmpty || fields.suffix(2) == [13, 10], "every field line ends in CRLF")
        let headers = String(decoding: fields, as: UTF8.self).split(separator: "\r\n").map { line -> (String, String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts.first ?? ""), String(parts.count > 1 ? parts[1].drop { $0 == " " } : ""))
        }
        answers.append(Answer(sequence: sequence, status: answer.status, headers: headers,
                              body: String(decoding: body, as: UTF8.self), prewritten: true))
    }

    func setCancelHandler(sequence: UInt64, _ body: @escaping () -> Void) { cancelHandlers[sequence] = body }

    func isAwaiting(sequence: UInt64) -> Bool { open.contains(sequence) }

    func describe(sequence: UInt64, tag: AnyObject?, fields: [(String, String)]) {}
}

/// A loop that never runs on its own: the test moves its manual clock and runs what is due.
struct ManualLoop {
    let clock = ManualClock()
    let loop: EventLoop

    init() throws { loop = try EventLoop(index: 0, clock: clock) }

    /// Moves time on by `seconds` and runs the timers and tasks now due.
    func advance(seconds: Double) {
        clock.advance(by: nanos(seconds: seconds))
        loop.runPendingWork()
    }

    /// Monotonic nanoseconds `seconds` from now.
    func deadline(in seconds: Double) -> UInt64 { clock.nowNanos() &+ nanos(seconds: seconds) }
}

/// The inputs of a poll.
enum PollInput {
    static let extra = [("RateLimit", "\"state\";r=29;t=1"), ("Preference-Applied", "wait=30")]

    static func room(_ version: Int64, _ status: RoomStatus = .live, cta: Bool = false) -> RoomSnapshot {
        RoomSnapshot(version: version, status: status, cta: cta, storedType: .live)
    }

    static func session(_ id: String, version: Int64 = 1, progress: Int = 0) -> SessionSnapshot {
        var s = SessionSnapshot(sessionID: id)
        s.version = version
        s.enteredAt = "2024-01-01T00:00:00Z"
        s.progress = progress
        return s
    }

    static func view(_ webinarID: String, _ room: RoomSnapshot, session: SessionSnapshot? = nil) -> StateView {
        StateView(webinarID: webinarID, room: room, session: session, fallbackType: .auto)
    }

    /// A view of room `w1`.
    static func view(_ room: RoomSnapshot, session: SessionSnapshot? = nil) -> StateView {
        view("w1", room, session: session)
    }
}

/// A registry on a manual loop, with its interest calls and re-reads recorded.
final class RegistryBench {
    let manual: ManualLoop
    let target = FakeResponderTarget()
    let parked = ParkedCounter()
    let registry: WaiterRegistry
    private(set) var interest: [(String, Bool)] = []
    /// Re-reads asked of `registry.reader`, answered by the test through `done`.
    private(set) var reads: [(view: StateView, done: (StateView?) -> Void)] = []

    init(manual: ManualLoop? = nil) throws {
        let m = try manual ?? ManualLoop()
        self.manual = m
        registry = WaiterRegistry(loop: m.loop, parked: parked)
        registry.onInterest = { [weak self] id, on in self?.interest.append((id, on)) }
        registry.reader = { [weak self] view, done in self?.reads.append((view, done)) }
    }

    /// Parks a poll of `view` for `seconds`; returns its request's sequence.
    @discardableResult
    func park(_ view: StateView, seconds: Double = 30) -> UInt64 {
        let responder = target.responder()
        registry.park(Waiter(responder: responder, view: view, extraHeaders: PollInput.extra),
                      deadline: manual.deadline(in: seconds))
        return responder.sequence
    }

    var parkedCount: Int { parked.value.load(ordering: .relaxed) }
}

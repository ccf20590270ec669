// The response side of a client connection without sockets: HTTPResponseParser driven the way the webhook
// client drives it, and what it produced. Testing-free, so the fuzz harness compiles the same file.
#if !FUZZING
import HTTP1
#endif

/// One final response as the webhook client would see it: the 1xx statuses before it, head, body.
struct ParsedResponse: Equatable {
    var interim: [Int] = []
    var head: HTTPResponseHead
    var body: [UInt8]
}

/// Everything a client connection produced from some input.
struct ResponseFeedResult: Equatable, CustomStringConvertible {
    var responses: [ParsedResponse] = []
    var error: HTTPParseError?
    /// Bytes received but not consumed (an incomplete head at the end); 0 after an error.
    var unconsumed = 0

    var description: String {
        "responses: \(responses.map { "\($0.interim) \($0.head.status) body \($0.body.count)" }), "
            + "error: \(error.map { "\($0)" } ?? "none"), unconsumed: \(unconsumed)"
    }
}

/// Drives an ``HTTPResponseParser`` the way a client does: a `[UInt8]` input buffer with a read index,
/// interim heads skipped, head, body, reset, repeat; at the end, optionally the close (`finish()`).
struct ResponseConnectionSimulator {
    var parser: HTTPResponseParser
    /// The methods of the pipelined requests, answered in order; `GET` once they run out.
    var methods: [HTTPMethod]
    var input: [UInt8] = []
    var readIndex = 0
    var interim: [Int] = []
    var current: HTTPResponseHead?
    var body: [UInt8] = []
    var result = ResponseFeedResult()
    let compact: Bool

    init(limits: HTTPLimits, methods: [HTTPMethod], compact: Bool) {
        parser = HTTPResponseParser(limits: limits)
        self.methods = methods
        self.compact = compact
    }

    mutating func receive(_ chunk: ArraySlice<UInt8>) {
        guard result.error == nil else { return }
        input.append(contentsOf: chunk)
        do throws(HTTPParseError) {
            while try step() {}
        } catch {
            result.error = error
        }
        if compact, readIndex > 0 {
            input.removeFirst(readIndex)
            readIndex = 0
        }
        result.unconsumed = result.error == nil ? input.count - readIndex : 0
    }

    /// One head or body step; `false` when more input is needed.
    private mutating func step() throws(HTTPParseError) -> Bool {
        if current == nil {
            let method = result.responses.count < methods.count ? methods[result.responses.count] : .get
            switch try parser.parseHead(input, from: readIndex, requestMethod: method) {
            case .needMore:
                return false
            case .interim(let head, let consumed):
                readIndex += consumed
                interim.append(head.status)
                return true
            case .head(let head, let consumed):
                readIndex += consumed
                current = head
                body = []
            }
        }
        let step = try parser.parseBody(input, from: readIndex, into: &body)
        readIndex += step.consumed
        guard step.complete else { return false }
        complete()
        return true
    }

    private mutating func complete() {
        if let current { result.responses.append(ParsedResponse(interim: interim, head: current, body: body)) }
        current = nil
        interim = []
        parser.reset()
    }

    /// The server closes the connection.
    mutating func close() {
        guard result.error == nil else { return }
        do throws(HTTPParseError) {
            try parser.finish()
            complete()
        } catch {
            result.error = error
            result.unconsumed = 0
        }
    }
}

/// Feeds `bytes` split at the given offsets, then (if `close`) closes the connection.
func feedResponses(_ bytes: [UInt8], splits: [Int], methods: [HTTPMethod], limits: HTTPLimits,
                   compact: Bool, close: Bool) -> ResponseFeedResult {
    var connection = ResponseConnectionSimulator(limits: limits, methods: methods, compact: compact)
    var start = 0
    for split in splits + [bytes.count] {
        connection.receive(bytes[start..<split])
        start = split
    }
    if close { connection.close() }
    return connection.result
}


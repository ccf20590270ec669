// The request side of a connection without sockets: the parser driven the way the server drives it, and
// what it produced. Testing-free, so the fuzz harness (scripts/fuzz, one module with HTTP1's sources,
// -D FUZZING) compiles the same file.
#if !FUZZING
@testable import HTTP1
#endif

/// One request as the server would see it: head plus decoded body.
struct ParsedRequest: Equatable {
    var head: HTTPRequestHead
    var body: [UInt8]
}

/// Everything a connection produced from some input.
struct FeedResult: Equatable, CustomStringConvertible {
    var requests: [ParsedRequest] = []
    var error: HTTPParseError?
    /// Bytes received but not consumed (an incomplete request at the end); 0 after an error.
    var unconsumed = 0

    var description: String {
        "requests: \(requests.count) \(requests.map { "\($0.head.method.rawValue) \($0.head.path) body \($0.body.count)" }), "
            + "error: \(error.map { "\($0)" } ?? "none"), unconsumed: \(unconsumed)"
    }
}

/// Drives a parser the way the server does: a `[UInt8]` input buffer with a read index, parse head,
/// parse body, reset, repeat. Optionally compacts the buffer after each read, like a server that
/// moves unconsumed bytes to the front.
struct ConnectionSimulator {
    var parser: HTTPRequestParser
    var input: [UInt8] = []
    var readIndex = 0
    var current: HTTPRequestHead?
    var body: [UInt8] = []
    var result = FeedResult()
    let compact: Bool

    init(limits: HTTPLimits, compact: Bool) {
        parser = HTTPRequestParser(limits: limits)
        self.compact = compact
    }

    mutating func receive(_ chunk: ArraySlice<UInt8>) {
        guard result.error == nil else { return }
        input.append(contentsOf: chunk)
        do throws(HTTPParseError) {
            loop: while true {
                let head: HTTPRequestHead
                if let current {
                    head = current
                } else {
                    switch try parser.parseHead(input, from: readIndex) {
                    case .needMore:
                        break loop
                    case .head(let parsed, let consumed):
                        readIndex += consumed
                        head = parsed
                        current = parsed
                        body = []
                    }
                }
                let step = try parser.parseBody(input, from: readIndex, into: &body)
                readIndex += step.consumed
                guard step.complete else { break loop }
                result.requests.append(ParsedRequest(head: head, body: body))
                current = nil
                parser.reset()
            }
        } catch {
            result.error = error
        }
        if compact, readIndex > 0 {
            input.removeFirst(readIndex)
            readIndex = 0
        }
        // After an error the rest of the input is irrelevant (the connection closes).
        result.unconsumed = result.error == nil ? input.count - readIndex : 0
    }
}

/// Feeds `bytes` split at the given offsets.
func feed(_ bytes: [UInt8], splits: [Int], limits: HTTPLimits = HTTPLimits(), compact: Bool = false) -> FeedResult {
    var connection = ConnectionSimulator(limits: limits, compact: compact)
    var start = 0
    for split in splits + [bytes.count] {
        connection.receive(bytes[start..<split])
        start = split
    }
    return connection.result
}


import Testing
@testable import HTTP1

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

/// Feeds `text` whole, split in two at every byte boundary, and (if `byteAtATime`) one byte per read;
/// every way must give the same result, which is returned.
@discardableResult
func feedEveryWay(_ text: String, limits: HTTPLimits = HTTPLimits(), byteAtATime: Bool = true,
                  sourceLocation: SourceLocation = #_sourceLocation) -> FeedResult {
    let bytes = Array(text.utf8)
    return feedEveryWay(bytes, limits: limits, byteAtATime: byteAtATime, sourceLocation: sourceLocation)
}

@discardableResult
func feedEveryWay(_ bytes: [UInt8], limits: HTTPLimits = HTTPLimits(), byteAtATime: Bool = true,
                  sourceLocation: SourceLocation = #_sourceLocation) -> FeedResult {
    agreeEveryWay(count: bytes.count, byteAtATime: byteAtATime, sourceLocation: sourceLocation) { splits, compact in
        feed(bytes, splits: splits, limits: limits, compact: compact)
    }
}

/// Runs `run(splits, compact)` on input of `count` bytes fed whole, split in two at every byte boundary
/// (compacting on every other split), and (if `byteAtATime`) one byte per read with and without
/// compaction; records an issue for every way that disagrees with the whole, and returns the whole.
func agreeEveryWay<Result: Equatable & CustomStringConvertible>(
    count: Int, byteAtATime: Bool = true, sourceLocation: SourceLocation = #_sourceLocation,
    _ run: (_ splits: [Int], _ compact: Bool) -> Result
) -> Result {
    let whole = run([], false)
    var mismatches = 0
    for split in 1..<max(count, 1) where mismatches < 3 {
        let result = run([split], split % 2 == 0)
        if result != whole {
            mismatches += 1
            Issue.record("split at \(split): \(result) != whole: \(whole)", sourceLocation: sourceLocation)
        }
    }
    if byteAtATime {
        for compact in [false, true] {
            let result = run(Array(0..<count), compact)
            if result != whole {
                Issue.record("byte at a time (compact \(compact)): \(result) != whole: \(whole)",
                             sourceLocation: sourceLocation)
            }
        }
    }
    return whole
}

/// The single complete request `text` must produce, checked every way it can be split.
func parseOne(_ text: String, limits: HTTPLimits = HTTPLimits(),
              sourceLocation: SourceLocation = #_sourceLocation) -> ParsedRequest? {
    let result = feedEveryWay(text, limits: limits, sourceLocation: sourceLocation)
    #expect(result.error == nil, "unexpected \(String(describing: result.error))", sourceLocation: sourceLocation)
    #expect(result.requests.count == 1, "\(result)", sourceLocation: sourceLocation)
    #expect(result.unconsumed == 0, sourceLocation: sourceLocation)
    return result.requests.first
}

/// The error `text` must produce, checked every way it can be split.
func parseError(_ text: String, limits: HTTPLimits = HTTPLimits(),
                sourceLocation: SourceLocation = #_sourceLocation) -> HTTPParseError? {
    feedEveryWay(text, limits: limits, sourceLocation: sourceLocation).error
}

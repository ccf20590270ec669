import Testing
@testable import HTTP1

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

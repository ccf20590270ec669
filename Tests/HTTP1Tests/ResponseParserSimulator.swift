import Testing
import HTTP1

/// Feeds `text` every way (whole, split at every byte, byte at a time); all must agree.
@discardableResult
func feedResponsesEveryWay(_ text: String, methods: [HTTPMethod] = [], limits: HTTPLimits = HTTPLimits(),
                           close: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) -> ResponseFeedResult {
    let bytes = Array(text.utf8)
    return agreeEveryWay(count: bytes.count, sourceLocation: sourceLocation) { splits, compact in
        feedResponses(bytes, splits: splits, methods: methods, limits: limits, compact: compact, close: close)
    }
}

/// The single complete response `text` must produce, checked every way it can be split.
func parseResponse(_ text: String, method: HTTPMethod = .get, limits: HTTPLimits = HTTPLimits(), close: Bool = false,
                   sourceLocation: SourceLocation = #_sourceLocation) -> ParsedResponse? {
    let result = feedResponsesEveryWay(text, methods: [method], limits: limits, close: close, sourceLocation: sourceLocation)
    #expect(result.error == nil, "unexpected \(String(describing: result.error))", sourceLocation: sourceLocation)
    #expect(result.responses.count == 1, "\(result)", sourceLocation: sourceLocation)
    #expect(result.unconsumed == 0, sourceLocation: sourceLocation)
    return result.responses.first
}

/// The error `text` must produce, checked every way it can be split.
func responseError(_ text: String, method: HTTPMethod = .get, limits: HTTPLimits = HTTPLimits(), close: Bool = false,
                   sourceLocation: SourceLocation = #_sourceLocation) -> HTTPParseError? {
    feedResponsesEveryWay(text, methods: [method], limits: limits, close: close, sourceLocation: sourceLocation).error
}

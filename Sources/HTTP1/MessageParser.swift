/// The machinery ``HTTPRequestParser`` and ``HTTPResponseParser`` share: head scanning, body decoding,
/// and the sticky error (the first ``HTTPParseError`` is thrown again by every call until ``reset()``).
/// Each public parser adds only how its start line and fields are judged and what head it builds.
struct MessageParser<Line: StartLine>: Sendable {
    /// A head whose final CRLF CRLF has been seen, judged, with its bytes copied once.
    struct CompleteHead: Sendable {
        var line: Line
        var outcome: FieldSemantics.Outcome
        /// The head's bytes, which ``headers`` point into (the request target too).
        var storage: [UInt8]
        var headers: HTTPHeaders
        /// The head's length in bytes, from the start of the buffer.
        var consumed: Int
    }

    /// The limits in force (normalized).
    let limits: HTTPLimits
    private var scanner = HeadScanner<Line>()
    private var bodyDecoder = BodyDecoder()
    private var failure: HTTPParseError?

    init(limits: HTTPLimits) {
        self.limits = limits.normalized
    }

    /// Forgets the current message and any error.
    mutating func reset() {
        scanner = HeadScanner()
        bodyDecoder = BodyDecoder()
        failure = nil
    }

    /// Scans `buffer` (from the first byte of the head) and, once the head is complete, judges it with
    /// `judge` and prepares for its body.
    /// - Returns: the complete head, or `nil` when more bytes are needed.
    /// - Throws: the scanner's errors and `judge`'s, then sticky.
    mutating func parseHead(
        _ buffer: UnsafeRawBufferPointer,
        judge: (Line, FieldSemantics, HTTPLimits) throws(HTTPParseError) -> FieldSemantics.Outcome
    ) throws(HTTPParseError) -> CompleteHead? {
        try sticky { (me: inout Self) throws(HTTPParseError) in
            guard let (line, consumed) = try me.scanner.scan(buffer, limits: me.limits),
                  let base = buffer.baseAddress else { return nil }
            let outcome = try judge(line, me.scanner.semantics, me.limits)
            let storage = [UInt8](UnsafeRawBufferPointer(start: base, count: consumed))
            let head = CompleteHead(line: line, outcome: outcome, storage: storage,
                                    headers: HTTPHeaders(bytes: storage, fields: me.scanner.fields), consumed: consumed)
            me.bodyDecoder.start(outcome.framing, limits: me.limits)
            me.scanner = HeadScanner()
            return head
        }
    }

    /// Decodes body bytes of the head last returned (see ``BodyDecoder/decode(_:into:)``).
    /// - Throws: the decoder's errors, then sticky.
    mutating func parseBody(_ buffer: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(HTTPParseError) -> BodyResult {
        try sticky { (me: inout Self) throws(HTTPParseError) in try me.bodyDecoder.decode(buffer, into: &body) }
    }

    /// The end of input: completes an until-close body.
    /// - Throws: ``HTTPParseError/truncatedMessage`` inside a head or an unfinished framed body, then sticky.
    mutating func finish() throws(HTTPParseError) {
        try sticky { (me: inout Self) throws(HTTPParseError) in
            if me.scanner.hasStarted { throw .truncatedMessage }
            try me.bodyDecoder.finish()
        }
    }

    /// Runs `step` unless an earlier error stands; records the error it throws.
    private mutating func sticky<R>(_ step: (inout Self) throws(HTTPParseError) -> R) throws(HTTPParseError) -> R {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try step(&self)
        } catch {
            failure = error
            throw error
        }
    }
}

/// What the fields that govern framing and connection handling said, gathered line by line while the
/// head is scanned, then judged once the head is complete (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1).
///
/// Only Host, Content-Length, Transfer-Encoding, Connection and Expect are looked at (Host and Expect only
/// in requests); names are matched by length first, so other fields cost one switch. Responses are judged
/// by ``finishResponse(version:status:requestMethod:limits:)`` (FieldSemantics+Response.swift).
struct FieldSemantics: Sendable {
    /// The outcome of ``finish(version:limits:)``.
    struct Outcome: Sendable {
        var framing: BodyFraming
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    /// Whether Host and Expect are judged: `false` for a response, where they mean nothing.
    private let checksRequestFields: Bool
    private var hostCount = 0
    private(set) var contentLength: Int?
    private(set) var transferEncodingSeen = false
    private var transferEncodingMalformed = false
    private var chunkedCount = 0
    private var otherCodingCount = 0
    private var lastCodingIsChunked = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectContinue = false
    private var expectOther = false

    /// Creates empty semantics for one head.
    /// - Parameter checksRequestFields: `true` for a request head, `false` for a response head.
    init(checksRequestFields: Bool) {
        self.checksRequestFields = checksRequestFields
    }

    /// Records one field line: name `base[nameStart..<nameEnd]`, trimmed value `base[valueStart..<valueEnd]`.
    /// - Throws: ``HTTPParseError/invalidHost``, ``HTTPParseError/badContentLength``,
    ///   ``HTTPParseError/duplicateContentLength``.
    mutating func note(_ base: UnsafeRawPointer, name nameStart: Int, _ nameEnd: Int,
                       value valueStart: Int, _ valueEnd: Int) throws(HTTPParseError) {
        switch nameEnd &- nameStart {
        case 4 where checksRequestFields && ByteScan.equalsLowercased(base, nameStart, nameEnd, "host"):
            hostCount &+= 1
            try Self.checkHost(base, valueStart, valueEnd)
        case 6 where checksRequestFields && ByteScan.equalsLowercased(base, nameStart, nameEnd, "expect"):
            if ByteScan.equalsLowercased(base, valueStart, valueEnd, "100-continue") {
                expectContinue = true
            } else {
                expectOther = true
            }
        case 10 where ByteScan.equalsLowercased(base, nameStart, nameEnd, "connection"):
            noteConnection(base, valueStart, valueEnd)
        case 14 where ByteScan.equalsLowercased(base, nameStart, nameEnd, "content-length"):
            try noteContentLength(base, valueStart, valueEnd)
        case 17 where ByteScan.equalsLowercased(base, nameStart, nameEnd, "transfer-encoding"):
            noteTransferEncoding(base, valueStart, valueEnd)
        default:
            break
        }
    }

    /// Judges the whole head.
    /// - Throws: Host, framing, body-size and expectation errors, in that order of precedence.
    func finish(version: HTTPVersion, limits: HTTPLimits) throws(HTTPParseError) -> Outcome {
        let isHTTP11 = version.minor == 1
        // RFC 9112 §3.2: a 1.1 request needs exactly one Host; more than one is refused for any version.
        if hostCount > 1 { throw .duplicateHost }
        if isHTTP11, hostCount == 0 { throw .missingHost }

        let framing = try bodyFraming(isHTTP11: isHTTP11, limits: limits) ?? .none

        // RFC 9110 §10.1.1: only 100-continue is defined; anything else -> 417.
        if expectOther { throw .expectationFailed }

        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
        return Outcome(framing: framing, keepAlive: persists(isHTTP11: isHTTP11),
                       expectsContinue: expectContinue && isHTTP11)
    }

    /// The framing Transfer-Encoding and Content-Length declare (RFC 9112 §6.3 items 3 to 6), the same
    /// for requests and responses.
    /// - Returns: `nil` when neither field is present.
    /// - Throws: ``HTTPParseError/conflictingFraming``, ``HTTPParseError/transferEncodingInHTTP10``,
    ///   ``HTTPParseError/badTransferEncoding``, ``HTTPParseError/unsupportedTransferEncoding``,
    ///   ``HTTPParseError/bodyTooLarge``.
    func bodyFraming(isHTTP11: Bool, limits: HTTPLimits) throws(HTTPParseError) -> BodyFraming? {
        if transferEncodingSeen {
            // RFC 9112 §6.1 (a server MAY reject CL+TE; we do, it is the CL.TE/TE.CL smuggling vector)
            // and §6.3 item 3.
            if contentLength != nil { throw .conflictingFraming }
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing.
            if !isHTTP11 { throw .transferEncodingInHTTP10 }
            // RFC 9112 §6.3 item 4: chunked not final -> 400; §6.1: chunked at most once.
            if transferEncodingMalformed || !lastCodingIsChunked || chunkedCount != 1 {
                throw .badTransferEncoding
            }
            // RFC 9112 §6.1: a coding we do not understand -> 501. We implement only chunked.
            if otherCodingCount > 0 { throw .unsupportedTransferEncoding }
            return .chunked
        }
        guard let length = contentLength else { return nil }
        // Refuse before any body byte is read, so the server can answer 413 at once.
        if length > limits.maxBodyBytes { throw .bodyTooLarge }
        return length == 0 ? BodyFraming.none : .contentLength(length)
    }

    /// Whether the connection persists after this message (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `keep-alive` and no `close`.
    func persists(isHTTP11: Bool) -> Bool {
        isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
    }

    /// Content-Length = 1*DIGIT; a comma list of identical values collapses to one (RFC 9110 §8.6,
    /// RFC 9112 §6.3 item 5). No sign, no empty element, must fit in `Int`.
    private mutating func noteContentLength(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) {
        var i = start
        while true {
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            let digitsStart = i
            var value = 0
            while i < end {
                let digit = ByteScan.byte(base, i) &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
                guard !overflow1, !overflow2 else { throw .badContentLength }
                value = sum
                i &+= 1
            }
            guard i > digitsStart else { throw .badContentLength }
            if let previous = contentLength, previous != value { throw .duplicateContentLength }
            contentLength = value
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            if i == end { return }
            guard ByteScan.byte(base, i) == ByteScan.comma else { throw .badContentLength }
            i &+= 1
        }
    }

    /// Transfer-Encoding = #transfer-coding (RFC 9112 §6.1). Elements must be bare tokens (no
    /// parameters, no quotes); empty list elements are skipped (RFC 9110 §5.6.1). Judged in `finish`.
    private mutating func noteTransferEncoding(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) {
        transferEncodingSeen = true
        var elements = 0
        var i = start
        while true {
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            let tokenStart = i
            while i < end, ByteScan.isTchar(ByteScan.byte(base, i)) { i &+= 1 }
            let tokenEnd = i
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            if i < end, ByteScan.byte(base, i) != ByteScan.comma {
                transferEncodingMalformed = true
                return
            }
            if tokenEnd > tokenStart {
                elements &+= 1
                if ByteScan.equalsLowercased(base, tokenStart, tokenEnd, "chunked") {
                    chunkedCount &+= 1
                    lastCodingIsChunked = true
                } else {
                    otherCodingCount &+= 1
                    lastCodingIsChunked = false
                }
            }
            if i >= end { break }
            i &+= 1
        }
        if elements == 0 { transferEncodingMalformed = true }
    }

    /// Connection = #connection-option (RFC 9110 §7.6.1); only `close` and `keep-alive` matter here.
    private mutating func noteConnection(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) {
        var i = start
        while i < end {
            while i < end, ByteScan.isWhitespace(ByteScan.byte(base, i)) { i &+= 1 }
            let tokenStart = i
            while i < end, ByteScan.byte(base, i) != ByteScan.comma { i &+= 1 }
            var tokenEnd = i
            while tokenEnd > tokenStart, ByteScan.isWhitespace(ByteScan.byte(base, tokenEnd &- 1)) { tokenEnd &-= 1 }
            if ByteScan.equalsLowercased(base, tokenStart, tokenEnd, "close") {
                connectionClose = true
            } else if ByteScan.equalsLowercased(base, tokenStart, tokenEnd, "keep-alive") {
                connectionKeepAlive = true
            }
            i &+= 1
        }
    }

    /// Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2): reg-name, IPv4 or IP-literal
    /// characters only. An empty value is accepted (RFC 9112 §3.2 allows it).
    private static func checkHost(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTPParseError) {
        let low: UInt64 = 0x2FFF_7FF2_0000_0000
        let high: UInt64 = 0x47FF_FFFE_AFFF_FFFE
        var i = start
        while i < end {
            let b = ByteScan.byte(base, i)
            let allowed = b < 64 ? (low >> UInt64(b)) & 1 == 1 : (b < 128 && (high >> UInt64(b &- 64)) & 1 == 1)
            guard allowed else { throw .invalidHost }
            i &+= 1
        }
    }
}

// The one place answers are framed (RFC 9112 §6, §9; RFC 9110 §8.6, §9.3.2): both a handler's
// `HTTPResponse` and a `PrewrittenResponse` get their status line, Date, the exchange's own fields
// (e.g. CORS), Content-Length, Connection and the HEAD rule here. Whether the connection stays open is
// decided by `ConnectionStateMachine` and arrives as an `AnswerFraming`.
import HTTP1

/// How one answer is framed: decided by the connection state machine.
struct AnswerFraming: Equatable {
    /// `Connection: close`, and the connection closes once the answer is written.
    var close: Bool
    /// An HTTP/1.0 client asked to keep the connection: say `Connection: keep-alive` (RFC 9112 §9.3).
    var http10KeepAlive: Bool
    /// A HEAD request: the head only (Content-Length still says what GET would send).
    var omitBody: Bool

    var connectionHeader: HTTPResponseEncoder.ConnectionHeader { close ? .close : (http10KeepAlive ? .keepAlive : .omit) }
}

enum ResponseFraming {
    /// 1xx, 204 and 304 carry no body and no Content-Length (RFC 9110 §8.6, RFC 9112 §6.3 item 1).
    static func isBodiless(_ status: Int) -> Bool { status < 200 || status == 204 || status == 304 }

    /// Appends `response` (plus `fields`) to `out`. A response whose fields the encoder refuses (a CR/LF
    /// that would split it) leaves `out` as it was.
    /// - Returns: false when the encoder refused it: send `fallback(_:date:to:)` instead.
    static func append(_ response: HTTPResponse, fields: [(String, String)], _ framing: AnswerFraming, date: String,
                       to out: inout [UInt8]) -> Bool {
        do {
            try encode(response, fields: fields, framing, date: date, to: &out)
            return true
        } catch {
            return false
        }
    }

    /// Appends the answer sent in place of a refused one: `response` with `Connection: close`.
    static func fallback(_ response: HTTPResponse, _ framing: AnswerFraming, date: String, to out: inout [UInt8]) {
        var closing = framing
        closing.close = true
        try? encode(response, fields: [], closing, date: date, to: &out)
    }

    private static func encode(_ response: HTTPResponse, fields: [(String, String)], _ framing: AnswerFraming, date: String,
                               to out: inout [UInt8]) throws(HTTPResponseError) {
        let body: [UInt8]
        switch response.body {
        case .empty: body = []
        case .bytes(let b): body = b
        case .shared(let s): body = s.bytes
        }
        try HTTPResponseEncoder.appendResponse(
            into: &out, status: response.status, headers: fields.isEmpty ? response.headers : response.headers + fields,
            body: body, date: date, connection: framing.connectionHeader, isHeadRequest: framing.omitBody)
    }

    /// Writes `answer` (plus `fields`, server-generated) into `sink`, byte for byte what the encoder would
    /// write for the same fields.
    static func write<Sink: ResponseByteSink>(_ answer: any PrewrittenResponse, fields: [(String, String)], _ framing: AnswerFraming,
                                              date: String, into sink: inout Sink) {
        let status = answer.status
        if status == 200 {
            sink.put("HTTP/1.1 200 OK\r\nDate: ")
        } else {
            sink.put("HTTP/1.1 ")
            sink.putDecimal(status)
            sink.put(" ")
            sink.put(HTTPReasonPhrase.phrase(for: status))
            sink.put("\r\nDate: ")
        }
        sink.put(date)
        sink.put("\r\n")
        answer.writeFields { sink.put($0) }
        for (name, value) in fields {
            sink.put(name)
            sink.put(": ")
            sink.put(value)
            sink.put("\r\n")
        }
        let bodiless = isBodiless(status)
        if !bodiless {
            sink.put("Content-Length: ")
            sink.putDecimal(answer.bodyCount)
            sink.put("\r\n")
        }
        switch framing.connectionHeader {
        case .omit: sink.put("\r\n")
        case .close: sink.put("Connection: close\r\n\r\n")
        case .keepAlive: sink.put("Connection: keep-alive\r\n\r\n")
        }
        if !bodiless && !framing.omitBody { answer.writeBody { sink.put($0) } }
    }
}

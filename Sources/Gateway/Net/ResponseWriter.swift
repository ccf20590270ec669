// Turns a handler's `HTTPResponse` into bytes on a connection's output queue. A response whose
// header fields the encoder refuses (a CR/LF that would split the response) becomes a 500.
import HTTP1

enum ResponseWriter {
    /// - Parameter http10KeepAlive: an HTTP/1.0 client asked to keep the connection: say so (RFC 9112 §9.3).
    static func append(_ response: HTTPResponse, to out: inout [UInt8], date: String, close: Bool, omitBody: Bool, http10KeepAlive: Bool = false) {
        let connection: HTTPResponseEncoder.ConnectionHeader = close ? .close : (http10KeepAlive ? .keepAlive : .omit)
        let body: [UInt8]
        switch response.body {
        case .empty: body = []
        case .bytes(let b): body = b
        case .shared(let s): body = s.bytes
        }
        do {
            try HTTPResponseEncoder.appendResponse(
                into: &out, status: response.status, headers: response.headers, body: body,
                date: date, connection: connection, isHeadRequest: omitBody)
        } catch {
            Log.error("refused to encode a response", [("status", String(response.status)), ("error", "\(error)")])
            let fallback = Problem.internalError.response
            let bytes: [UInt8]
            if case .bytes(let b) = fallback.body { bytes = b } else { bytes = [] }
            try? HTTPResponseEncoder.appendResponse(
                into: &out, status: 500, headers: fallback.headers, body: bytes, date: date, connection: .close)
        }
    }
}

// What a handler answers. The connection adds Date, Content-Length and Connection itself.

/// Response bytes that many answers can share (e.g. one serialized room state per version).
public final class SharedBody: Sendable {
    /// The bytes.
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// An HTTP response produced by a handler.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields other than Date, Content-Length and Connection.
    public var headers: [(String, String)]
    /// The body.
    public var body: Body
    /// Ask the connection to close after this response.
    public var closeConnection: Bool

    /// Response payload, owned or shared.
    public enum Body: Sendable {
        case empty
        case bytes([UInt8])
        case shared(SharedBody)

        var count: Int {
            switch self {
            case .empty: 0
            case .bytes(let b): b.count
            case .shared(let s): s.bytes.count
            }
        }
    }

    public init(status: Int, headers: [(String, String)] = [], body: Body = .empty, closeConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closeConnection = closeConnection
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(Array(text.utf8)))
    }

    /// A plain-text answer.
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(Array(text.utf8)))
    }
}

// Errors of the Redis client. Transport failures (hiredis `context.err`: refused, EOF, reset, our own
// deadline) are kept apart from a Redis error *reply* (`REDIS_REPLY_ERROR`): the latter is a successful
// round trip and reaches `RedisConnection.send` callers as `.success(.error(text))`; only the
// "expect success" APIs (`RedisClient`) turn it into `RedisError.server`.

/// A failure of the Redis client. A struct over a private code (like NIO's errors), so kinds can be
/// added without breaking callers.
///
/// Equality compares the kind only, so `error == .timeout` or `error == .disconnected` works whatever
/// `detail` says.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case notConnected, disconnected, timeout, server, protocolError, connectFailed
        case invalidAddress, embeddedServer
    }

    private let code: Code
    /// Human-readable detail (the server's error text for `.server`, the reason otherwise).
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The connection is not up (connecting, backing off, or closed): the command was not sent.
    public static let notConnected = RedisError(.notConnected, "")
    /// The connection went away while the command was in flight; it may or may not have run.
    public static let disconnected = RedisError(.disconnected, "")
    /// The command's deadline passed before its reply arrived; the connection is then torn down.
    public static let timeout = RedisError(.timeout, "")
    /// The command could not be encoded or was refused by the client (e.g. SUBSCRIBE on a command
    /// connection), or a reply could not be parsed.
    public static let protocolError = RedisError(.protocolError, "")
    /// A connection attempt failed.
    public static let connectFailed = RedisError(.connectFailed, "")
    /// A Redis address (URL) could not be parsed or resolved.
    public static let invalidAddress = RedisError(.invalidAddress, "")
    /// The embedded `redis-server` could not be started or stopped.
    public static let embeddedServer = RedisError(.embeddedServer, "")

    /// A Redis error reply (`-ERR ...`) surfaced as an error by an API that expects success.
    public static let server = RedisError(.server, "")

    /// A Redis error reply carrying the server's text.
    public static func server(_ message: String) -> RedisError { RedisError(.server, message) }
    static func disconnected(_ detail: String) -> RedisError { RedisError(.disconnected, detail) }
    static func protocolError(_ detail: String) -> RedisError { RedisError(.protocolError, detail) }
    static func connectFailed(_ detail: String) -> RedisError { RedisError(.connectFailed, detail) }
    static func invalidAddress(_ detail: String) -> RedisError { RedisError(.invalidAddress, detail) }
    static func embeddedServer(_ detail: String) -> RedisError { RedisError(.embeddedServer, detail) }

    /// True for failures of the transport (not connected, dropped, timed out, connect failed), as
    /// opposed to an error reply from the server.
    public var isTransport: Bool {
        switch code {
        case .notConnected, .disconnected, .timeout, .connectFailed: true
        default: false
        }
    }

    /// The server's error text when this is a `.server` error, else nil.
    public var serverMessage: String? { code == .server ? detail : nil }

    /// Same kind (the detail text is not compared).
    public static func == (lhs: RedisError, rhs: RedisError) -> Bool { lhs.code == rhs.code }

    /// One line; for `.embeddedServer` and `.invalidAddress` the detail alone (it is written to be shown).
    public var description: String {
        let name: String
        switch code {
        case .notConnected: name = "redis: not connected"
        case .disconnected: name = "redis: connection lost"
        case .timeout: name = "redis: command timed out"
        case .server: name = "redis: error reply"
        case .protocolError: name = "redis: protocol error"
        case .connectFailed: name = "redis: connect failed"
        case .invalidAddress, .embeddedServer: return detail
        }
        return detail.isEmpty ? name : "\(name): \(detail)"
    }
}

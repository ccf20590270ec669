// Every limit of the server core is a named setting with its unit in its name.
import HTTP1
import Reactor

/// Settings of the HTTP server core (listening, per-connection limits and deadlines).
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen (numeric IP and port; port 0 picks a free one).
    public var listen = Socket.Address(host: "127.0.0.1", port: 8080)
    /// From the first byte of a request until it is complete (408 after).
    public var headerTimeoutSeconds: Double = 10
    /// How long an idle keep-alive connection is kept.
    public var idleTimeoutSeconds: Double = 75
    /// Open connections per node; past it new ones are closed at accept.
    public var maxConnections: Int = 20_000
    /// Request parsing limits (request line, header bytes and count, body bytes).
    public var httpLimits = HTTPLimits()
    /// Response bytes queued for one connection before it stops reading new requests (back-pressure).
    public var maxQueuedResponseBytes: Int = 256 * 1024
    /// Request bytes buffered for one connection while a response is outstanding.
    public var maxBufferedRequestBytes: Int = 96 * 1024
    /// Connections accepted per readiness event of a listener before the loop serves others.
    public var acceptBatch: Int = 128

    public init() {}
}

// Per-loop state of the server core, owned by one loop thread: its connections (for drain and
// diagnostics), its listener, the application instance that answers its requests, a Date header cached
// once per second, and the scratch buffer prewritten answers are assembled in.
import Glibc
import HTTP1
import Reactor

/// What one loop's connections share. Loop thread only.
final class ServerLoop {
    let loop: EventLoop
    let configuration: HTTPServerConfiguration
    let state: ServerState
    let application: any HTTPApplication
    /// Where prewritten answers are assembled before their single send.
    let scratch = ResponseScratch()
    var acceptor: Acceptor?
    /// Requests dispatched on this loop (per-loop: no shared cache line on the hot path).
    var requestsDispatched = 0
    private(set) var connections: [ObjectIdentifier: Connection] = [:]
    private let onIdle: @Sendable () -> Void
    /// Where the core's own warnings go (out of descriptors).
    let warn: @Sendable (String) -> Void
    private var dateSecond: Int = -1
    private var dateText = ""

    /// - Parameter onIdle: called when a connection closes and none is left open on the node.
    init(loop: EventLoop, configuration: HTTPServerConfiguration, state: ServerState, application: any HTTPApplication,
         onIdle: @escaping @Sendable () -> Void, warn: @escaping @Sendable (String) -> Void) {
        self.warn = warn
        self.loop = loop
        self.configuration = configuration
        self.state = state
        self.application = application
        self.onIdle = onIdle
    }

    /// The IMF-fixdate for now, refreshed at most once per second.
    var dateHeaderValue: String {
        let now = time(nil)
        if now != dateSecond {
            dateSecond = now
            dateText = HTTPDate.imfFixdate(unixSeconds: now)
        }
        return dateText
    }

    func connectionOpened(_ c: Connection) {
        connections[ObjectIdentifier(c)] = c
        state.openConnections.add(1, ordering: .relaxed)
    }

    func connectionClosed(_ c: Connection) {
        connections.removeValue(forKey: ObjectIdentifier(c))
        if state.openConnections.subtract(1, ordering: .relaxed).newValue == 0 { onIdle() }
    }

    /// Stops accepting and starts draining this loop's connections: idle ones close now, busy ones after
    /// their answer.
    func drain() {
        acceptor?.close()
        acceptor = nil
        for conn in Array(connections.values) { conn.drain() }
    }

    /// Closes every connection at once.
    func closeAll() {
        acceptor?.close()
        acceptor = nil
        for conn in Array(connections.values) { conn.close() }
    }
}

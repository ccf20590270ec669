// One listening socket per loop (SO_REUSEPORT): the kernel spreads new connections over the loops.
// Past `maxConnections` a new connection is accepted and closed at once — cheap, and the node keeps
// serving the connections it has.
import Glibc
import Reactor

/// Accepts connections for one loop.
final class Acceptor: IOHandler {
    private let fd: Int32
    private let server: ServerLoop
    private var registration: Registration?

    init(fd: Int32, server: ServerLoop) {
        self.fd = fd
        self.server = server
    }

    func start() throws(IOError) {
        registration = try server.loop.register(fd: fd, interest: .readable, handler: self)
    }

    /// Stops accepting and closes the listening socket. Connections already completed by the kernel
    /// and waiting in the accept queue are accepted and served first (their answers close them):
    /// closing the socket with them queued would reset them, and a proxy cannot retry a reset POST.
    func close() {
        if registration != nil { handleIO(.readable) }
        if let r = registration { server.loop.deregister(r) }
        registration = nil
        Socket.close(fd)
    }

    func handleIO(_ events: IOEvents) {
        let max = server.configuration.maxConnections
        for _ in 0..<server.configuration.acceptBatch {
            let result: IOResult<Int32>
            do {
                result = try Socket.accept(fd)
            } catch {
                // EMFILE/ENFILE/ECONNABORTED: try again on the next readiness event.
                if error.errno == EMFILE || error.errno == ENFILE { server.warn("accept: out of file descriptors") }
                return
            }
            guard case .processed(let client) = result else { return }
            if server.state.openConnections.load(ordering: .relaxed) >= max {
                server.state.refusedConnections.add(1, ordering: .relaxed)
                Socket.close(client)
                continue
            }
            Socket.setNoDelay(client)
            let conn = Connection(fd: client, server: server)
            do {
                try conn.start()
            } catch {
                Socket.close(client)
            }
        }
    }
}

let EMFILE: Int32 = 24
let ENFILE: Int32 = 23

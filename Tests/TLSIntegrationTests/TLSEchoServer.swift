// `openssl s_server -rev` on a free loopback port: each line received comes back reversed. Started
// with `Linux.spawn`, ready once it prints ACCEPT, stopped by its PID (SIGKILL, then waitpid).
import Foundation
import GatewayTestSupport
import Glibc
import Reactor

/// One running `openssl s_server`.
final class TLSEchoServer {
    let port: UInt16
    let pid: Int32
    let log: String

    /// How long the server gets to print ACCEPT, in seconds.
    static let startupSeconds = 10.0

    /// Starts the server with the PKI's certificate and `extra` arguments (e.g. a protocol limit).
    /// - Throws: when it cannot start or is not accepting within ``startupSeconds``.
    init(pki: TestPKI, extra: [String] = [], name: String) throws {
        port = try Self.freeLoopbackPort()
        log = pki.directory + "/s_server-\(name).log"
        pid = try OpenSSLCLI.start(["s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.serverCertificate,
                                    "-key", pki.serverKey, "-rev"] + extra, log: log)
        let ready = eventually(seconds: Self.startupSeconds) { self.output.contains("ACCEPT") || !self.isRunning }
        guard ready, isRunning else {
            stop()
            throw IOError(errno: 0, reason: "s_server did not start: \(output)")
        }
    }

    /// Everything the server printed so far.
    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// False once the process has exited (a refused option, say).
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    func stop() {
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// A port nothing listens on right now (bound to port 0, read back, released).
    private static func freeLoopbackPort() throws -> UInt16 {
        let fd = try Socket.listen(Socket.Address(host: "127.0.0.1", port: 0), reusePort: false)
        defer { Socket.close(fd) }
        return Socket.localPort(fd)
    }
}

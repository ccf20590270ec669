// The Python test server (test_server.py next to this file) as a child process: started with
// `Linux.spawn` on BIND_HOST port 0, ready once its log says which port it got, stopped by its PID.
// Its JSON-lines log is what the tests assert on: connections accepted and each request's exact
// request line, fields and body.
import Foundation
import Glibc
import Reactor

/// One running test server.
public final class TestHTTPServer {
    /// One request as the server received it.
    public struct Received {
        public let connection: Int
        public let requestLine: String
        public let headers: [[String]]
        public let body: [UInt8]
    }

    public let port: UInt16
    public let pid: Int32
    public let logPath: String

    /// How long the server gets to report its port, in seconds.
    static let startupSeconds = 15.0
    static let python = "/usr/bin/python3"
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// Starts the server on `bindHost` (TLS with `pki`'s server certificate when given).
    /// - Throws: when it cannot start or does not report a port in time.
    public convenience init(bindHost: String = "127.0.0.1", pki: TestPKI? = nil) throws {
        try self.init(python: Self.python, script: "test_server.py") { log in
            [bindHost, log] + (pki.map { [$0.serverCertificate, $0.serverKey] } ?? [])
        }
    }

    /// Starts `script` (a file beside this one) with `python` and `arguments(logPath)`; ready once its
    /// log reports `{"event": "listening", "port": N}`.
    /// - Throws: when it cannot start or does not report a port in time.
    public init(python: String, script: String, arguments: (String) -> [String]) throws {
        let directory = NSTemporaryDirectory() + "testserver-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        logPath = directory + "/server.log"
        let stderrPath = directory + "/stderr.log"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        let fd = open(stderrPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { if fd >= 0 { close(fd) } }
        // argv[0] is the interpreter's own path: a venv's python finds its packages from it.
        pid = try Linux.spawn(python, [python, path] + arguments(logPath), stdoutFD: fd >= 0 ? fd : nil)
        var found: UInt16 = 0
        let log = logPath
        _ = eventually(seconds: Self.startupSeconds) {
            found = Self.entries(log).first { $0["event"] as? String == "listening" }.flatMap { $0["port"] as? Int }
                .map { UInt16($0) } ?? 0
            return found != 0
        }
        port = found
        guard port != 0 else {
            stop()
            throw IOError(errno: 0, reason: "test server did not start; see \(stderrPath)")
        }
    }

    /// Every line of the server's log, parsed.
    public var logEntries: [[String: Any]] { Self.entries(logPath) }

    /// Connections accepted so far.
    public var connectionCount: Int {
        Self.entries(logPath).filter { $0["event"] as? String == "connect" }.count
    }

    /// Requests received so far, in order.
    public var requests: [Received] {
        Self.entries(logPath).compactMap { entry in
            guard entry["event"] as? String == "request", let connection = entry["conn"] as? Int,
                  let line = entry["requestline"] as? String, let headers = entry["headers"] as? [[String]],
                  let body = (entry["body"] as? String).flatMap({ Data(base64Encoded: $0) }) else { return nil }
            return Received(connection: connection, requestLine: line, headers: headers, body: Array(body))
        }
    }

    public func stop() {
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private static func entries(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }
}

// Blocking, one-shot Redis round trips for EmbeddedRedis (PING until up, SHUTDOWN NOSAVE) and a free
// loopback port finder. Startup/test helpers only: NEVER call these on an event loop.
import Glibc

/// Synchronous socket helpers used while starting and stopping a private `redis-server`.
enum BlockingRedis {
    /// Most bytes one blocking round trip reads.
    static let maxReplyBytes = 64 * 1024

    /// True once `bytes` hold a whole simple reply: a line, or a whole bulk string (`$N\r\n...\r\n`).
    static func isCompleteReply(_ bytes: [UInt8]) -> Bool {
        guard let lf = bytes.firstIndex(of: 10) else { return false }
        guard bytes.first == UInt8(ascii: "$"), lf >= 2 else { return true }
        guard let n = Int(String(decoding: bytes[1..<(lf - 1)], as: UTF8.self)), n >= 0 else { return true }
        return bytes.count >= lf + 1 + n + 2
    }

    /// The text of a bulk reply read by `roundTrip(..., complete: isCompleteReply)`, or nil.
    static func bulkText(_ bytes: [UInt8]) -> String? {
        guard bytes.first == UInt8(ascii: "$"), let lf = bytes.firstIndex(of: 10),
              let n = Int(String(decoding: bytes[1..<max(1, lf - 1)], as: UTF8.self)), n >= 0, bytes.count >= lf + 1 + n else { return nil }
        return String(decoding: bytes[(lf + 1)..<(lf + 1 + n)], as: UTF8.self)
    }

    /// Sends `command` on a fresh connection and reads until one reply line (or EOF / timeout).
    /// - Returns: the bytes read (possibly empty when the server closed at once), or nil if the
    ///   connection or the write failed.
    static func roundTrip(_ endpoint: RedisAddress.Endpoint, _ command: RedisCommand, timeoutMillis: Int,
                          complete: ([UInt8]) -> Bool = { $0.contains(10) }) -> [UInt8]? {
        guard let fd = connect(endpoint, timeoutMillis: timeoutMillis) else { return nil }
        defer { Glibc.close(fd) }
        var sent = 0
        let ok = command.withEncoding { raw -> Bool in
            while sent < raw.count {
                let n = send(fd, raw.baseAddress.map { $0 + sent }, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
        guard ok else { return nil }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while !complete(reply) && reply.count < maxReplyBytes {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            reply.append(contentsOf: buffer[0..<n])
        }
        return reply
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read it, close). Another
    /// process may take it before redis-server binds: callers retry on a bind race.
    static func freeLoopbackPort() -> UInt16? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = 0
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return nil }
        var out = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let got = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard got == 0 else { return nil }
        return UInt16(bigEndian: out.sin_port)
    }

    private static func connect(_ endpoint: RedisAddress.Endpoint, timeoutMillis: Int) -> Int32? {
        let family: Int32
        switch endpoint {
        case .unix: family = AF_UNIX
        case .tcp(let host, _): family = host.contains(":") ? AF_INET6 : AF_INET
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: timeoutMillis / 1000, tv_usec: (timeoutMillis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc: Int32
        switch endpoint {
        case .unix(let path):
            var sa = sockaddr_un()
            sa.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: sa.sun_path) else {
                Glibc.close(fd)
                return nil
            }
            withUnsafeMutableBytes(of: &sa.sun_path) { dst in
                for (i, b) in bytes.enumerated() { dst[i] = b }
            }
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
        case .tcp(let host, let port) where family == AF_INET6:
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &sa.sin6_addr)
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        case .tcp(let host, let port):
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &sa.sin_addr)
            rc = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if rc != 0 {
            Glibc.close(fd)
            return nil
        }
        return fd
    }
}

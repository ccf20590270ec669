// TCP sockets for the loops: listen (with SO_REUSEPORT so each loop accepts on its own socket),
// non-blocking connect (numeric addresses only), accept, read, write (MSG_NOSIGNAL: no SIGPIPE
// deaths), close. Non-blocking everywhere.
import Glibc

/// Non-blocking socket calls through the syscall funnel.
public enum Socket {
    /// A parsed listen address.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: UInt16
        public init(host: String, port: UInt16) { self.host = host; self.port = port }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Parses `HOST:PORT`, `[V6]:PORT` or `:PORT`; nil when malformed.
        public init?(parsing text: String) {
            var hostPart: Substring
            var portPart: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                hostPart = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                guard rest.hasPrefix(":") else { return nil }
                portPart = rest.dropFirst()
            } else if let colon = text.lastIndex(of: ":") {
                hostPart = text[..<colon]
                portPart = text[text.index(after: colon)...]
            } else { return nil }
            if hostPart.isEmpty { hostPart = "0.0.0.0" }
            guard let p = UInt16(portPart) else { return nil }
            self.host = String(hostPart)
            self.port = p
        }
    }

    /// Opens a listening TCP socket bound to `address` (numeric IPv4/IPv6 only: no blocking DNS).
    /// - Throws: `IOError` naming the call that failed.
    public static func listen(_ address: Address, reusePort: Bool, backlog: Int32 = 4096) throws(IOError) -> Int32 {
        let fd = try withSocketAddress(address, "listen") { fd, sa, len -> Int32 in
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
            return bind(fd, sa, len) == 0 ? 0 : errno
        }
        if Glibc.listen(fd, backlog) != 0 {
            let e = errno
            Glibc.close(fd)
            throw IOError(errno: e, reason: "listen \(address)")
        }
        return fd
    }

    /// Starts a non-blocking TCP connect to a numeric IPv4/IPv6 `address` (no blocking DNS).
    /// - Returns: the new socket (non-blocking, close-on-exec; the caller closes it) and `.processed`
    ///   when already connected, or `.wouldBlock` while in progress: wait until it is writable, then
    ///   ask ``pendingError(_:)``.
    /// - Throws: `IOError` when the address is not numeric or the connect fails at once.
    public static func connect(_ address: Address) throws(IOError) -> (fd: Int32, state: IOResult<Void>) {
        var inProgress = false
        let fd = try withSocketAddress(address, "connect") { fd, sa, len -> Int32 in
            if Glibc.connect(fd, sa, len) == 0 { return 0 }
            let e = errno
            // A non-blocking connect interrupted by a signal carries on asynchronously, like EINPROGRESS.
            inProgress = e == EINPROGRESS || e == EINTR
            return inProgress ? 0 : e
        }
        return (fd, inProgress ? .wouldBlock : .processed(()))
    }

    /// The socket's pending error (SO_ERROR): 0 once a non-blocking connect has succeeded.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &len) == 0 else { return errno }
        return value
    }

    /// Opens a non-blocking TCP socket of `address`'s family and runs `body` with it and the socket
    /// address; `body` returns 0 or an errno, and on an errno the socket is closed and the error thrown.
    private static func withSocketAddress(
        _ address: Address, _ call: String, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) throws(IOError) -> Int32 {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let isV6: Bool
        if inet_pton(AF_INET, address.host, &v4.sin_addr) == 1 {
            isV6 = false
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = address.port.bigEndian
        } else if inet_pton(AF_INET6, address.host, &v6.sin6_addr) == 1 {
            isV6 = true
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = address.port.bigEndian
        } else {
            throw IOError(errno: EINVAL, reason: "\(call) address \(address.host) is not a numeric IP")
        }
        let fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Linux.nonBlockingCloseOnExec, 0)
        guard fd >= 0 else { throw IOError(errno: errno, reason: "socket") }
        let e: Int32 = isV6
            ? withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            : withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if e != 0 {
            Glibc.close(fd)
            throw IOError(errno: e, reason: call == "listen" ? "bind \(address)" : "\(call) \(address)")
        }
        return fd
    }

    /// The local port a socket is bound to (for listeners bound to port 0).
    public static func localPort(_ fd: Int32) -> UInt16 {
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        if ss.ss_family == sa_family_t(AF_INET6) {
            return withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
        }
        return withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
    }

    /// The peer's numeric address (`1.2.3.4` or `::1`), or "" if unknown.
    public static func peerAddress(_ fd: Int32) -> String {
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &len) } }
        guard rc == 0 else { return "" }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if ss.ss_family == sa_family_t(AF_INET6) {
            return withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                var a = p.pointee.sin6_addr
                return inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count)) != nil ? Self.text(buf) : ""
            } }
        }
        return withUnsafePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
            var a = p.pointee.sin_addr
            return inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count)) != nil ? Self.text(buf) : ""
        } }
    }

    private static func text(_ cString: [CChar]) -> String {
        let bytes = cString.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Accepts one pending connection (non-blocking, close-on-exec).
    public static func accept(_ listener: Int32) throws(IOError) -> IOResult<Int32> {
        try Linux.accept(listener)
    }

    /// Sets TCP_NODELAY (responses are written whole; Nagle only adds latency).
    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads into `buffer`; `.processed(0)` means the peer closed.
    @inline(__always)
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try syscall(blocking: false) { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes with MSG_NOSIGNAL so a closed peer is an error (EPIPE), never a SIGPIPE.
    @inline(__always)
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try syscall(blocking: false) { send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes `fd`, ignoring errors (nothing useful can be done with them).
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}

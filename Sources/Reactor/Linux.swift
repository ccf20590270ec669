// The one file that imports CLinuxShims: epoll, eventfd, signalfd, accept4 and posix_spawn
// signal attributes, wrapped in a namespaced enum (the NIO `Linux.swift` habit).
internal import CLinuxShims
import Glibc

/// Thin wrappers over the Linux calls Swift's Glibc module does not export.
public enum Linux {
    static func epollCreate() throws(IOError) -> Int32 {
        try check(epoll_create1(Int32(EPOLL_CLOEXEC)), "epoll_create1")
    }

    static func epollControl(_ epfd: Int32, _ op: Int32, _ fd: Int32, events: UInt32, data: UInt64) throws(IOError) {
        var ev = epoll_event()
        ev.events = events
        ev.data.u64 = data
        _ = try check(epoll_ctl(epfd, op, fd, &ev), "epoll_ctl")
    }

    static func epollDelete(_ epfd: Int32, _ fd: Int32) {
        var ev = epoll_event()
        _ = epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev)
    }

    /// `SOCK_NONBLOCK | SOCK_CLOEXEC`, for socket(2) and accept4(2).
    static let nonBlockingCloseOnExec = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    static let ctlAdd = EPOLL_CTL_ADD
    static let ctlMod = EPOLL_CTL_MOD

    /// A reusable array of epoll events owned by one loop.
    final class EventBuffer {
        let capacity: Int
        let events: UnsafeMutablePointer<epoll_event>
        init(capacity: Int) {
            self.capacity = capacity
            events = .allocate(capacity: capacity)
            events.initialize(repeating: epoll_event(), count: capacity)
        }
        deinit { events.deallocate() }
        func wait(_ epfd: Int32, timeoutMillis: Int32) -> Int32 {
            while true {
                let n = epoll_wait(epfd, events, Int32(capacity), timeoutMillis)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                return 0
            }
        }
        @inline(__always) func event(_ i: Int) -> (events: UInt32, data: UInt64) {
            (events[i].events, events[i].data.u64)
        }
    }

    static func eventFD() throws(IOError) -> Int32 {
        try check(eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)), "eventfd")
    }

    /// Accepts one connection as non-blocking and close-on-exec.
    static func accept(_ fd: Int32) throws(IOError) -> IOResult<Int32> {
        try syscall(blocking: false) { accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)) }
    }

    /// Blocks SIGTERM and SIGINT in the calling thread (call before starting any other thread) and
    /// returns a non-blocking signalfd that reads them.
    public static func signalFDForTermination() throws(IOError) -> Int32 {
        _ = clinux_sigmask_block_term_int()
        return try check(clinux_signalfd_term_int(), "signalfd")
    }

    /// Reads one pending signal number from a signalfd, if any.
    public static func readSignal(_ fd: Int32) -> Int32? {
        var info = signalfd_siginfo()
        let n = withUnsafeMutableBytes(of: &info) { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n == MemoryLayout<signalfd_siginfo>.size else { return nil }
        return Int32(bitPattern: info.ssi_signo)
    }

    /// Starts `path` with `arguments` (argv[0] included) and a clean signal mask, in its own process group.
    /// - Returns: the child's PID.
    public static func spawn(_ path: String, _ arguments: [String], stdoutFD: Int32? = nil) throws(IOError) -> Int32 {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        _ = clinux_spawnattr_reset_signals(&attr)
        posix_spawnattr_setpgroup(&attr, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let out = stdoutFD {
            posix_spawn_file_actions_adddup2(&actions, out, 1)
            posix_spawn_file_actions_adddup2(&actions, out, 2)
        }
        var cArgs: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArgs.append(nil)
        defer { for p in cArgs { free(p) } }
        var pid: Int32 = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, cArgs, environ)
        guard rc == 0 else { throw IOError(errno: rc, reason: "posix_spawn \(path)") }
        return pid
    }

    @inline(__always)
    static func check(_ rc: Int32, _ what: StaticString) throws(IOError) -> Int32 {
        if rc < 0 { throw IOError(errno: errno, reason: "\(what)") }
        return rc
    }
}

extension IOEvents {
    /// Converts to epoll's bit mask.
    var epollMask: UInt32 {
        var m: UInt32 = 0
        if contains(.readable) { m |= EPOLLIN.rawValue }
        if contains(.writable) { m |= EPOLLOUT.rawValue }
        if contains(.readHangup) { m |= EPOLLRDHUP.rawValue }
        return m
    }

    init(epollMask m: UInt32) {
        var e: IOEvents = []
        if m & EPOLLIN.rawValue != 0 { e.insert(.readable) }
        if m & EPOLLOUT.rawValue != 0 { e.insert(.writable) }
        if m & EPOLLRDHUP.rawValue != 0 { e.insert(.readHangup) }
        if m & EPOLLHUP.rawValue != 0 { e.insert(.hangup) }
        if m & EPOLLERR.rawValue != 0 { e.insert(.error) }
        self = e
    }
}

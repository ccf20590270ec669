// The ONLY file that imports CHiredis. One `HiredisContext` is one hiredis async context (one connection
// attempt) attached to one of our loops; nothing of hiredis leaves this file.
//
// Adapter contract (hiredis 0.14.1, see platform notes):
// - `ev.addWrite` only marks; `flush()` (called from the owner's pass-end hook) runs ONE
//   `redisAsyncHandleWrite` per loop pass, so every command queued during the pass goes out in one write.
//   EPOLLOUT is armed only while connecting (the async connect completes on a write event) and when a
//   write was partial; `ev.delWrite` disarms it.
// - Reads are always armed; EPOLLHUP/EPOLLERR go to `redisAsyncHandleRead` so EOF and errors are seen.
// - hiredis frees the context itself on EOF/error inside `redisAsyncHandleRead`/`HandleWrite`, after
//   calling every pending callback with a NULL reply; `ev.cleanup` tells us, and from then on the
//   pointer is never touched (`ac` is nil).
// - Each reply is converted to `RedisReply` inside its callback; hiredis frees it when we return.
// - hiredis 0.14 writes with write(2), not send(MSG_NOSIGNAL): a write to a server that died raises
//   SIGPIPE, which kills the process by default (seen in the tests). The first connect sets SIGPIPE to
//   ignored, process-wide; children started with Linux.spawn get default dispositions back.
internal import CHiredis
import Glibc
import Reactor

/// One hiredis async connection on one loop; loop thread only.
final class HiredisContext: IOHandler {
    private let loop: EventLoop
    private var ac: UnsafeMutablePointer<redisAsyncContext>?
    private var registration: Registration?
    private var wantWrite = false
    private var writeArmed = false
    private var flushing = false
    /// `loop.now` of the pass whose pass-end flush already ran (a pass id: it is set once per pass).
    private var flushedPass: UInt64 = .max
    /// Set once hiredis has started tearing the context down (first NULL reply, or our `close()`).
    private(set) var isClosing = false
    /// How many times `redisAsyncHandleWrite` ran (pipelining check for tests and metrics).
    private(set) var writeCalls = 0
    /// Called once when hiredis has freed the context (connect failure, EOF, error, or `close()`).
    var onClose: ((RedisError) -> Void)?
    /// Called with each pub/sub push (subscribe confirmations and messages) on a subscriber context.
    var onPush: ((RedisReply) -> Void)?

    init(loop: EventLoop) {
        self.loop = loop
    }

    private static let ignoreSIGPIPE: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// True while hiredis still owns a live context.
    var isOpen: Bool { ac != nil && !isClosing }

    /// Starts a non-blocking connect to a numeric endpoint and attaches it to the loop.
    /// - Throws: `RedisError.connectFailed` when the connect fails at once.
    func connect(to endpoint: RedisAddress.Endpoint) throws(RedisError) {
        HiredisContext.ignoreSIGPIPE
        let made: UnsafeMutablePointer<redisAsyncContext>?
        switch endpoint {
        case .tcp(let host, let port): made = redisAsyncConnect(host, Int32(port))
        case .unix(let path): made = redisAsyncConnectUnix(path)
        }
        guard let c = made else { throw .connectFailed("hiredis could not allocate a context") }
        if c.pointee.err != 0 {
            let text = c.pointee.errstr.map { String(cString: $0) } ?? "error \(c.pointee.err)"
            redisAsyncFree(c)
            throw .connectFailed(text)
        }
        let fd = c.pointee.c.fd
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // hiredis 0.14 does not; keep it out of spawned children
        do {
            registration = try loop.register(fd: fd, interest: [.readable, .writable], handler: self)
        } catch {
            redisAsyncFree(c)
            throw .connectFailed("\(error)")
        }
        writeArmed = true
        ac = c
        let me = Unmanaged.passUnretained(self).toOpaque()
        c.pointee.data = me
        c.pointee.ev.data = me
        c.pointee.ev.addRead = { _ in }
        c.pointee.ev.delRead = { _ in }
        c.pointee.ev.addWrite = { data in HiredisContext.recover(data)?.markWrite() }
        c.pointee.ev.delWrite = { data in HiredisContext.recover(data)?.disarmWrite() }
        c.pointee.ev.cleanup = { data in HiredisContext.recover(data)?.hiredisCleanedUp() }
    }

    /// Queues a regular command; `pending` is resolved exactly once (reply, or `.disconnected`).
    /// - Returns: false (and `pending` untouched) when the context cannot take commands.
    func send(_ command: RedisCommand, _ pending: PendingReply) -> Bool {
        guard let c = ac, !isClosing else { return false }
        let privdata = Unmanaged.passRetained(pending).toOpaque()
        let rc = command.withEncoding { raw in
            redisAsyncFormattedCommand(c, HiredisContext.replyCallback, privdata,
                                       raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        if rc != REDIS_OK {
            Unmanaged<PendingReply>.fromOpaque(privdata).release()
            return false
        }
        return true
    }

    /// Queues a (P)SUBSCRIBE/(P)UNSUBSCRIBE whose replies and messages go to `onPush`.
    /// - Returns: false when the context cannot take commands.
    func sendPubSub(_ command: RedisCommand) -> Bool {
        guard let c = ac, !isClosing else { return false }
        let rc = command.withEncoding { raw in
            redisAsyncFormattedCommand(c, HiredisContext.pushCallback, nil,
                                       raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        return rc == REDIS_OK
    }

    /// Tears the connection down: pending commands get `.disconnected`, then `onClose` runs (deferred by
    /// hiredis until the current callback returns when called from inside one).
    func close() {
        guard let c = ac, !isClosing else { return }
        isClosing = true
        redisAsyncFree(c)
    }

    /// Writes everything queued during this pass in one `redisAsyncHandleWrite` (pass-end hook).
    func flush() {
        flushedPass = loop.now
        guard wantWrite, !writeArmed, let c = ac else { return }
        writeCalls += 1
        flushing = true
        redisAsyncHandleWrite(c)
        flushing = false
        if ac != nil, wantWrite, !writeArmed { armWrite() }  // partial write: wait for EPOLLOUT
    }

    func handleIO(_ events: IOEvents) {
        if events.contains(.writable), let c = ac {
            writeCalls += 1
            redisAsyncHandleWrite(c)
        }
        if !events.isDisjoint(with: [.readable, .hangup, .error, .readHangup]), let c = ac {
            redisAsyncHandleRead(c)
        }
    }

    // MARK: hooks

    /// hiredis has bytes to write. Only marks; the pass-end flush writes. A command queued after this
    /// pass's flush already ran (from a later pass-end hook) wakes the loop so it is not left waiting.
    private func markWrite() {
        wantWrite = true
        if !flushing, flushedPass == loop.now { loop.wake() }
    }

    private func armWrite() {
        guard let reg = registration, !writeArmed else { return }
        writeArmed = true
        try? loop.reregister(reg, interest: [.readable, .writable])
    }

    private func disarmWrite() {
        wantWrite = false
        guard let reg = registration, writeArmed else { return }
        writeArmed = false
        try? loop.reregister(reg, interest: [.readable])
    }

    private func hiredisCleanedUp() {
        guard let c = ac else { return }  // cleanup may be reported more than once
        let reason: RedisError
        if c.pointee.err != 0 {
            reason = .disconnected(c.pointee.errstr.map { String(cString: $0) } ?? "error \(c.pointee.err)")
        } else {
            reason = .disconnected("closed by client")
        }
        ac = nil
        isClosing = true
        wantWrite = false
        if let reg = registration { loop.deregister(reg) }  // before hiredis closes the fd
        registration = nil
        let handler = onClose
        onClose = nil
        onPush = nil
        handler?(reason)
    }

    private static func recover(_ data: UnsafeMutableRawPointer?) -> HiredisContext? {
        guard let data else { return nil }
        return Unmanaged<HiredisContext>.fromOpaque(data).takeUnretainedValue()
    }

    private static let replyCallback: @convention(c) (UnsafeMutablePointer<redisAsyncContext>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { ac, reply, privdata in
        guard let privdata else { return }
        let pending = Unmanaged<PendingReply>.fromOpaque(privdata).takeRetainedValue()
        if let reply {
            pending.resolve(.success(HiredisContext.convert(reply.assumingMemoryBound(to: redisReply.self))))
        } else {
            var detail = "connection lost"
            if let ac {
                if let owner = HiredisContext.recover(ac.pointee.data) { owner.isClosing = true }
                if ac.pointee.err != 0, let s = ac.pointee.errstr { detail = String(cString: s) }
            }
            pending.resolve(.failure(.disconnected(detail)))
        }
    }

    private static let pushCallback: @convention(c) (UnsafeMutablePointer<redisAsyncContext>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { ac, reply, _ in
        guard let ac, let owner = HiredisContext.recover(ac.pointee.data) else { return }
        guard let reply else {
            owner.isClosing = true
            return
        }
        owner.onPush?(HiredisContext.convert(reply.assumingMemoryBound(to: redisReply.self)))
    }

    // MARK: replies

    /// Copies a hiredis reply tree into a `RedisReply`.
    static func convert(_ r: UnsafePointer<redisReply>) -> RedisReply {
        let p = r.pointee
        switch p.type {
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(p.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_STRING:
            return .bulk(bytes(p.str, p.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(p.str, p.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(p.str, p.len), as: UTF8.self))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(p.elements)
            for i in 0..<p.elements {
                if let e = p.element?[i] { items.append(convert(e)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .error("unsupported reply type \(p.type)")
        }
    }

    private static func bytes(_ str: UnsafeMutablePointer<CChar>?, _ len: Int) -> [UInt8] {
        guard let str, len > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: str, count: len))
    }
}

/// hiredis's pure RESP parser (`redisReader`), for tests of reply conversion without a server.
enum RESPReader {
    /// Parses every complete reply in `resp`.
    /// - Returns: the replies, and the reader's error text if the input is malformed.
    static func parse(_ resp: [UInt8]) -> (replies: [RedisReply], error: String?) {
        guard let reader = redisReaderCreate() else { return ([], "cannot allocate reader") }
        defer { redisReaderFree(reader) }
        let fed = resp.withUnsafeBytes { raw in
            redisReaderFeed(reader, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard fed == REDIS_OK else { return ([], readerError(reader)) }
        var replies: [RedisReply] = []
        while true {
            var out: UnsafeMutableRawPointer?
            if redisReaderGetReply(reader, &out) != REDIS_OK { return (replies, readerError(reader)) }
            guard let reply = out else { return (replies, nil) }
            replies.append(HiredisContext.convert(reply.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(reply)
        }
    }

    private static func readerError(_ reader: UnsafeMutablePointer<redisReader>) -> String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

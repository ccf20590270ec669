// A connection's response bytes on their way to the socket: sent straight from where they were assembled
// when nothing is queued, otherwise queued and written as the socket allows (EPOLLOUT).
import Reactor

/// Queued response bytes of one connection and the writes that drain them.
struct SocketOutput {
    private(set) var queue = ByteQueue()

    enum FlushResult { case drained, blocked, failed }

    /// Writes queued bytes to `fd` until done or the socket would block.
    mutating func flush(_ fd: Int32) -> FlushResult {
        while !queue.isEmpty {
            let start = queue.start
            let result: IOResult<Int>
            do {
                result = try queue.bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> in
                    try Socket.write(fd, UnsafeRawBufferPointer(rebasing: raw[start...]))
                }
            } catch {
                return .failed
            }
            guard case .processed(let n) = result else { return .blocked }
            queue.consume(n)
        }
        queue.compact(compactAfter: 0, keepCapacity: 64 * 1024)
        return .drained
    }

    /// Sends `bytes` at once when nothing else is queued; whatever the socket does not take is queued.
    /// - Returns: false when the socket failed (the peer is gone).
    mutating func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var sent = 0
        if queue.isEmpty {
            do {
                if case .processed(let n) = try Socket.write(fd, bytes) { sent = n }
            } catch {
                return false
            }
        }
        if sent < bytes.count { queue.append(UnsafeRawBufferPointer(rebasing: bytes[sent...])) }
        return true
    }

    /// Queues bytes (written by the next flush).
    mutating func append(_ bytes: [UInt8]) { queue.append(bytes) }

    /// Gives the queue's array to `body` for in-place appends (the encoder writes straight into it).
    mutating func withBytes<R>(_ body: (inout [UInt8]) -> R) -> R { queue.withBytes(body) }

    /// Encodes `response` straight into the queue; false when the encoder refused it (nothing queued).
    mutating func append(_ response: HTTPResponse, fields: [(String, String)], _ framing: AnswerFraming, date: String) -> Bool {
        queue.appendEncoded(response, fields: fields, framing, date: date)
    }

    var count: Int { queue.count }
    var isEmpty: Bool { queue.isEmpty }

    mutating func release() { queue.release() }
}

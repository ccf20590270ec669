// A byte buffer consumed from the front: a connection's request bytes (read but not yet parsed) and its
// response bytes (queued but not yet written). Compacted lazily so consuming is O(1).

/// Bytes with a read position.
struct ByteQueue {
    private(set) var bytes: [UInt8] = []
    /// Index of the first unconsumed byte.
    private(set) var start = 0

    /// Unconsumed bytes.
    var count: Int { bytes.count - start }
    var isEmpty: Bool { start == bytes.count }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        // Typed pointer: Array's contiguous (memcpy) append path; a raw buffer would go byte by byte.
        if let base = raw.baseAddress {
            bytes.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
        }
    }

    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    /// Marks `n` bytes as consumed.
    mutating func consume(_ n: Int) { start += n }

    /// Gives the array to `body` for in-place appends (the encoder writes straight into it).
    mutating func withBytes<R>(_ body: (inout [UInt8]) -> R) -> R { body(&bytes) }

    /// Encodes `response` onto the end; false when the encoder refused it (nothing appended).
    mutating func appendEncoded(_ response: HTTPResponse, fields: [(String, String)], _ framing: AnswerFraming, date: String) -> Bool {
        ResponseFraming.append(response, fields: fields, framing, date: date, to: &bytes)
    }

    /// After consuming: drop what was consumed once it is all or at least `compactAfter` bytes; a buffer
    /// grown past `keepCapacity` is released when empty.
    mutating func compact(compactAfter: Int, keepCapacity: Int) {
        if start == bytes.count {
            if bytes.capacity > keepCapacity { bytes = [] } else { bytes.removeAll(keepingCapacity: true) }
            start = 0
        } else if start >= compactAfter {
            bytes.removeFirst(start)
            start = 0
        }
    }

    /// Frees the memory.
    mutating func release() {
        bytes = []
        start = 0
    }
}

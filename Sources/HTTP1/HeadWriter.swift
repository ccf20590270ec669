// Writes a response head into a pre-sized scratch buffer with memcpy, validating field names (tchar)
// and values (field-value bytes, no CR/LF/NUL: no header injection) as it copies.

/// A cursor over a scratch buffer that is known to be large enough.
struct HeadWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always)
    mutating func put(_ literal: StaticString) {
        let n = literal.utf8CodeUnitCount
        (base + count).update(from: literal.utf8Start, count: n)
        count += n
    }

    @inline(__always)
    mutating func putDecimal(_ value: Int) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - n] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
                n += 1
            } while v > 0 && n < 20
            for i in 0..<n { base[count + i] = d[20 - n + i] }
        }
        count += n
    }

    /// Copies a field name; false if it is empty or not a token.
    mutating func putName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            for (i, b) in bytes.enumerated() {
                guard ByteScan.isTchar(b) else { return false }
                base[count + i] = b
            }
            count += bytes.count
            return true
        }
    }

    /// Copies a field value; false if it holds a byte a field value may not (CR, LF, NUL, other CTLs).
    mutating func putValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            guard let src = bytes.baseAddress else { return true }
            // Copy first (memcpy), then check: a tight loop over bytes already in cache.
            (base + count).update(from: src, count: bytes.count)
            var bad = false
            for b in bytes { bad = bad || !ByteScan.isFieldValueByte(b) }
            if bad { return false }
            count += bytes.count
            return true
        }
    }

    /// Copies an already validated request target.
    mutating func putTarget(_ target: String) {
        var target = target
        target.withUTF8 { bytes in
            guard let src = bytes.baseAddress else { return }
            (base + count).update(from: src, count: bytes.count)
            count += bytes.count
        }
    }

    mutating func putField(_ name: StaticString, _ value: String) -> Bool {
        put(name)
        put(": ")
        guard putValue(value) else { return false }
        put("\r\n")
        return true
    }
}

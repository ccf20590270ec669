// Redis Cluster's key → hash slot function (the cluster spec: CRC16-XMODEM of the key, or of its hash
// tag, mod 16,384). The hash tag is what lies between the first `{` and the first `}` after it, when
// that is not empty; otherwise the whole key is hashed. Pure: the routing of a cluster client and the
// debug check that every script's keys share a slot stand on it.

/// Hash slots of Redis Cluster.
public enum HashSlot {
    /// Number of slots (16,384).
    public static let count = 16_384

    /// The slot of `key`.
    public static func of(_ key: String) -> Int { of(Array(key.utf8)) }

    /// The slot of a key given as bytes.
    public static func of(_ key: [UInt8]) -> Int {
        var hashed = key[...]
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
           let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 {
            hashed = key[(open + 1)..<close]
        }
        return Int(crc16(hashed) & 0x3FFF)
    }

    /// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection.
    static func crc16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for b in bytes {
            crc ^= UInt16(b) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        return crc
    }

    /// `count` short hash tags whose slots fall evenly over the 16,384 (tag `i` hashes into the i-th of
    /// `count` equal slot ranges), so partitions keyed `{tag}` spread over shards that own contiguous
    /// slot ranges. Deterministic: every node computes the same tags. Tags are `prefix` + a decimal
    /// suffix, the first suffix (from 0) that lands in the range.
    public static func evenTags(count: Int, prefix: String) -> [String] {
        precondition(count >= 1 && count <= HashSlot.count, "partition count out of range")
        var tags: [String] = []
        tags.reserveCapacity(count)
        for i in 0..<count {
            let low = i * HashSlot.count / count, high = (i + 1) * HashSlot.count / count
            var n = 0
            while true {
                let tag = prefix + String(n)
                let slot = of(tag)
                if slot >= low && slot < high {
                    tags.append(tag)
                    break
                }
                n += 1
            }
        }
        return tags
    }
}

// HashSlot against values Redis 7's CLUSTER KEYSLOT printed on this machine, the hash-tag rules of the
// cluster spec, and the even spread of partition tags.
import Testing
@testable import RedisStore

@Suite struct HashSlotTests {
    @Test(arguments: [("foo", 12182), ("bar", 5061), ("hello", 866), ("{user1000}.following", 3443), ("123456789", 12739),
                      ("a{}b", 13694), ("{}", 15257), ("x{y}", 12222), ("wg:{w:room-1}:room", 11744)])
    func matchesRedis(_ key: String, _ slot: Int) {
        #expect(HashSlot.of(key) == slot)
    }

    @Test func hashTagRules() {
        #expect(HashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3, "the CRC16-XMODEM check value")
        #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
        #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"), "the first tag only")
        #expect(HashSlot.of("foo{}{bar}") == HashSlot.of(Array("foo{}{bar}".utf8)), "an empty first tag: the whole key")
        #expect(HashSlot.of("foo{{bar}}zap") == HashSlot.of("{bar"), "from the first { to the first } after it")
        #expect(HashSlot.of("{no close") == HashSlot.of(Array("{no close".utf8)))
    }

    @Test(arguments: [1, 3, 64, 1000])
    func evenTagsFallInEqualRanges(_ count: Int) {
        let tags = HashSlot.evenTags(count: count, prefix: "p")
        #expect(tags.count == count && Set(tags).count == count)
        for (i, tag) in tags.enumerated() {
            let slot = HashSlot.of(tag)
            #expect(slot >= i * HashSlot.count / count && slot < (i + 1) * HashSlot.count / count, "\(tag) → \(slot)")
        }
        // Three shards with contiguous ranges (what `redis-cli --cluster create` makes) get a third each.
        if count >= 64 {
            let perShard = (0..<3).map { s in tags.filter { HashSlot.of($0) * 3 / HashSlot.count == s }.count }
            #expect(perShard.allSatisfy { abs($0 - count / 3) <= 1 }, "\(perShard)")
        }
    }
}

// Pure tests, no server: RESP encoding of commands, reply conversion through hiredis's own reader,
// SHA-1 vectors.
@testable import RedisStore
import Testing

@Suite("RESP encoding and replies")
struct EncodingTests {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func encodesStringCommands() {
        #expect(RedisCommand(["SET", "k", "v"]).bytes == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"))
        #expect(RedisCommand(["PING"]).bytes == bytes("*1\r\n$4\r\nPING\r\n"))
        #expect(RedisCommand(["SET", "", "é"]).bytes == bytes("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$2\r\né\r\n"))
        #expect(RedisCommand(["SET", "k", "v"]).argumentCount == 3)
    }

    @Test func encodesByteCommandsAndLongLengths() {
        let binary: [UInt8] = [0, 13, 10, 255]
        #expect(RedisCommand(bytes: [bytes("SET"), bytes("k"), binary]).bytes
            == bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n") + binary + bytes("\r\n"))
        let big = String(repeating: "x", count: 12345)
        let encoded = RedisCommand(["SET", "k", big]).bytes
        #expect(encoded.starts(with: bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$12345\r\nxx")))
        let twelve = RedisCommand(Array(repeating: "a", count: 12)).bytes
        #expect(twelve.starts(with: bytes("*12\r\n$1\r\na\r\n")))
    }

    @Test func encodedCommandsParseBackAsArraysOfBulks() {
        let args = ["EVALSHA", "abc", "2", "k1", "k2", "", "∆ unicode"]
        let parsed = RESPReader.parse(RedisCommand(args).bytes)
        #expect(parsed.error == nil)
        #expect(parsed.replies == [.array(args.map { .bulk(Array($0.utf8)) })])
    }

    @Test func flagsConnectionStateCommands() {
        #expect(RedisCommand(["subscribe", "c"]).connectionStateCommandName == "subscribe")
        #expect(RedisCommand(["PSUBSCRIBE", "c*"]).connectionStateCommandName == "psubscribe")
        #expect(RedisCommand(["Monitor"]).connectionStateCommandName == "monitor")
        #expect(RedisCommand(["GET", "subscribe"]).connectionStateCommandName == nil)
        #expect(RedisCommand(["PUBLISH", "c", "m"]).connectionStateCommandName == nil)
    }

    @Test func convertsEveryReplyKind() {
        let resp = "+OK\r\n-ERR bad thing\r\n:42\r\n:-7\r\n$3\r\nabc\r\n$0\r\n\r\n$-1\r\n*2\r\n$1\r\na\r\n:1\r\n*-1\r\n*0\r\n"
            + "*2\r\n*1\r\n+x\r\n$-1\r\n"
        let parsed = RESPReader.parse(bytes(resp))
        #expect(parsed.error == nil)
        #expect(parsed.replies == [
            .status("OK"), .error("ERR bad thing"), .integer(42), .integer(-7), .bulk(bytes("abc")), .bulk([]),
            .null, .array([.bulk(bytes("a")), .integer(1)]), .null, .array([]),
            .array([.array([.status("x")]), .null]),
        ])
    }

    @Test func keepsBinaryBulksAndHandlesPartialInput() {
        let parsed = RESPReader.parse(bytes("$4\r\n") + [0, 13, 10, 200] + bytes("\r\n$5\r\nhel"))
        #expect(parsed.error == nil)
        #expect(parsed.replies == [.bulk([0, 13, 10, 200])])
    }

    @Test func reportsMalformedInput() {
        let parsed = RESPReader.parse(bytes("!nonsense\r\n"))
        #expect(parsed.replies.isEmpty)
        #expect(parsed.error?.isEmpty == false)
    }

    @Test func replyConveniences() {
        #expect(RedisReply.bulk(bytes("hi")).string == "hi")
        #expect(RedisReply.status("PONG").string == "PONG")
        #expect(RedisReply.integer(3).string == nil)
        #expect(RedisReply.bulk(bytes("12")).integer == 12)
        #expect(RedisReply.error("ERR x").isError)
        #expect(RedisReply.null.isNull)
    }

    @Test func errorsCompareByKindAndPrintOneLine() {
        #expect(RedisError.server("ERR a") == .server)
        #expect(RedisError.server("ERR a").serverMessage == "ERR a")
        #expect(RedisError.disconnected("EOF") == .disconnected)
        #expect(RedisError.timeout != .disconnected)
        #expect(RedisError.timeout.isTransport)
        #expect(!RedisError.server("x").isTransport)
        #expect(!RedisError.disconnected("Server closed the connection").description.contains("\n"))
    }
}

@Suite("SHA-1")
struct SHA1Tests {
    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        (String(repeating: "a", count: 55), "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (String(repeating: "a", count: 56), "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (String(repeating: "a", count: 64), "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
    ])
    func knownVectors(input: String, expected: String) {
        #expect(SHA1.hex(Array(input.utf8)) == expected)
    }

    @Test func millionAs() {
        #expect(SHA1.hex([UInt8](repeating: 97, count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func scriptCarriesItsSHA() {
        let script = RedisScript(name: "t", source: "return 1")
        #expect(script.sha1 == SHA1.hex(Array("return 1".utf8)))
        #expect(script.sha1.count == 40)
    }
}

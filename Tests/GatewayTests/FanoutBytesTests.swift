// The fan-out answer's byte pieces (pure; the wire test of a too-large answer is in
// GatewayIntegrationTests/FanoutBytesWireTests).
import Foundation
import Testing
@testable import Gateway
@testable import HTTPServer

@Suite struct FanoutBytesTests {
    @Test func pollBytesKeepTheirThreePartsAndGiveTheHeadersBack() {
        let lines = PrebuiltAnswer.lines([("RateLimit-Policy", "\"state\";q=30;w=15"), ("RateLimit", "\"state\";r=29;t=1"),
                                          ("Preference-Applied", "wait=25")])
        var p = PollBytes(sessionTag: "s3-1xyz", extraLines: lines, sessionTail: "null}")
        #expect(String(decoding: p.bytes[0..<p.tagEnd], as: UTF8.self) == "s3-1xyz")
        #expect(Array(p.bytes[p.tagEnd..<p.linesEnd]) == lines)
        #expect(String(decoding: p.bytes[p.linesEnd...], as: UTF8.self) == "null}")
        #expect(p.tailCount == 5)
        let back = p.extraHeaders
        #expect(back.map(\.0) == ["RateLimit-Policy", "RateLimit", "Preference-Applied"])
        #expect(back.map(\.1) == ["\"state\";q=30;w=15", "\"state\";r=29;t=1", "wait=25"])

        p.replaceSession(tag: "s4-1xyz", tail: "{\"a\":1}}")
        #expect(String(decoding: p.bytes[0..<p.tagEnd], as: UTF8.self) == "s4-1xyz")
        #expect(Array(p.bytes[p.tagEnd..<p.linesEnd]) == lines, "the header lines survive a session change")
        #expect(String(decoding: p.bytes[p.linesEnd...], as: UTF8.self) == "{\"a\":1}}")

        let bare = PollBytes(sessionTag: "", extraLines: [], sessionTail: "null}")
        #expect(bare.tagEnd == 0 && bare.linesEnd == 0 && bare.extraHeaders.isEmpty)
    }
}

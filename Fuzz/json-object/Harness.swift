// libFuzzer harness: the JSON object reader behind JWT headers/claims and request bodies
// (JWTJSONParser, with ClaimValue), on untrusted bytes. Built with those two sources in one module
// (scripts/fuzz). Oracle beyond "no crash, no sanitizer report": the two entry points agree (the
// members of parseObjectKeepingRaw are those of parseObject), and every member's raw bytes, parsed again
// inside an object of their own, give the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONObject(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let plain = JWTJSONParser.parseObject(bytes)
    let kept = JWTJSONParser.parseObjectKeepingRaw(bytes)
    if (plain == nil) != (kept == nil) || (plain != nil && plain != kept?.members) {
        print("parseObject \(String(describing: plain)) vs parseObjectKeepingRaw \(String(describing: kept?.members))")
        trap()
    }
    for (name, raw) in kept?.raw ?? [:] {
        let again = JWTJSONParser.parseObject(Array("{\"k\":".utf8) + Array(raw) + Array("}".utf8))
        if again?["k"] != kept?.members[name] {
            print("member \(name): raw \(Array(raw)) re-parses to \(String(describing: again?["k"])), was \(String(describing: kept?.members[name]))")
            trap()
        }
    }
    return 0
}

/// Ends the run as a finding (libFuzzer saves the input that caused it). Harness code only.
func trap() -> Never { fatalError("fuzz finding: the JSON reader disagreed with itself") }

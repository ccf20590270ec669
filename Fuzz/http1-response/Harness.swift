// libFuzzer harness: HTTPResponseParser (the webhook client's) on untrusted bytes: interim 1xx heads,
// Content-Length, chunked and until-close bodies, pipelined answers to HEAD/GET requests. Built with
// HTTP1's sources and Tests/HTTP1Tests/ResponseFeeder.swift in one module (scripts/fuzz). Oracle: no
// crash or sanitizer report, and the outcome is the same fed whole or in reads of k bytes (k and the
// request methods from the first input byte), with and without compaction, with and without a close.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1Response(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = Int(data[0])
    let step = control % 19 + 1
    let methods: [HTTPMethod] = control & 0x80 != 0 ? [.head, .post, .get] : [.post, .post]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    for limits in [HTTPLimits(), HTTPLimits(maxHeaderBytes: 256, maxHeaderCount: 8, maxBodyBytes: 128, maxChunkLineBytes: 16, maxTrailerBytes: 64)] {
        for close in [false, true] {
            let whole = feedResponses(bytes, splits: [], methods: methods, limits: limits, compact: false, close: close)
            let splits = Array(stride(from: step, to: bytes.count, by: step))
            for compact in [false, true] {
                let split = feedResponses(bytes, splits: splits, methods: methods, limits: limits, compact: compact, close: close)
                if split != whole {
                    print("split into reads of \(step) bytes (compact \(compact), close \(close)): \(split)\nwhole: \(whole)")
                    trap()
                }
            }
        }
    }
    return 0
}

/// Ends the run as a finding (libFuzzer saves the input that caused it). Harness code only.
func trap() -> Never { fatalError("fuzz finding: the outcome depended on how the input was split") }

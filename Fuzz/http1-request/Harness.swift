// libFuzzer harness: HTTPRequestParser on untrusted bytes (heads, Content-Length and chunked bodies,
// pipelined requests). Built with HTTP1's sources and Tests/HTTP1Tests/RequestFeeder.swift in one
// module (scripts/fuzz). Oracle beyond "no crash, no sanitizer report": the parser's contract says the
// outcome does not depend on how the input is split into reads, so the input fed whole must give the
// same requests, error and unconsumed count as the same input fed in reads of k bytes (k from the first
// input byte) with and without compaction. A difference traps (a finding).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1Request(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0]) % 23 + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // Small limits too, so the fuzzer reaches every limit branch with short inputs.
    for limits in [HTTPLimits(), HTTPLimits(maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8, maxBodyBytes: 128,
                                                   maxChunkLineBytes: 16, maxTrailerBytes: 64)] {
        let whole = feed(bytes, splits: [], limits: limits, compact: false)
        let splits = Array(stride(from: step, to: bytes.count, by: step))
        for compact in [false, true] {
            let split = feed(bytes, splits: splits, limits: limits, compact: compact)
            if split != whole {
                print("split into reads of \(step) bytes (compact \(compact)): \(split)\nwhole: \(whole)")
                trap()
            }
        }
    }
    return 0
}

/// Ends the run as a finding (libFuzzer saves the input that caused it). Harness code only.
func trap() -> Never { fatalError("fuzz finding: the outcome depended on how the input was split") }

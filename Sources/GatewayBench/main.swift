// gateway-bench: our own long-poll load tool (loopback targets only; every run bounded in count and time).
//   gateway-bench fanout --ports P[,P...] --n N --jwt-key KID:SECRET [--webinar W] [--server-pids PID,...]
//                        [--rounds R] [--repoll] [--sources K] [--timeout SECONDS]
import Foundation
import Gateway
import Reactor

func die(_ m: String) -> Never {
    FileHandle.standardError.write(Data(("gateway-bench: " + m + "\n").utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
guard args.first == "fanout" else { die("usage: gateway-bench fanout --ports P --n N --jwt-key KID:SECRET [...]") }
args.removeFirst()
var o = BenchOptions()
var i = 0
while i < args.count {
    let a = args[i]
    let v = i + 1 < args.count ? args[i + 1] : ""
    switch a {
    case "--ports": o.ports = v.split(separator: ",").compactMap { UInt16($0) }; i += 1
    case "--n": o.count = Int(v) ?? 0; i += 1
    case "--jwt-key":
        let p = v.split(separator: ":", maxSplits: 1)
        guard p.count == 2 else { die("--jwt-key KID:SECRET") }
        o.kid = String(p[0]); o.secret = String(p[1]); i += 1
    case "--webinar": o.webinar = v; i += 1
    case "--server-pids": o.serverPIDs = v.split(separator: ",").compactMap { Int32($0) }; i += 1
    case "--rounds": o.rounds = max(1, Int(v) ?? 1); i += 1
    case "--repoll": o.repoll = true
    case "--sources": o.sourceAddresses = max(1, min(250, Int(v) ?? 8)); i += 1
    case "--timeout": o.timeoutSeconds = Double(v) ?? 60; i += 1
    default: die("unknown option \(a)")
    }
    i += 1
}
guard o.count > 0, o.count <= 19_000, !o.ports.isEmpty else { die("--n must be 1...19000 (fd limit 20,000 per process)") }

let options = o
let loop = try EventLoop(index: 0)
let run = FanoutRun(options: options, loop: loop)
let systemToken = JWTSigner.sign(Claims(sub: "bench-system", role: .system, exp: Int64(Date().timeIntervalSince1970) + 7200), kid: options.kid, secret: options.secret)
let orchestrator = Thread { orchestrate(options, run: run, loop: loop, systemToken: systemToken) }
orchestrator.start()
loop.run()
loop.execute { for c in run.clients { c.close() } }
loop.runPendingWork()

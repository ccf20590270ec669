// gateway-bench: our own long-poll load tool (loopback targets only; every run bounded in count and time).
//
//   gateway-bench fanout --target gateway --ports P[,P...] --n N --jwt-key KID:SECRET [--webinar W]
//   gateway-bench fanout --target nchan --ports P --n N [--sub-path /sub/bench] [--pub-path /pub/bench]
//                        [--status-path /nchan_status] [--message-bytes B]
//       common: [--server-pids PID,...] [--aux-pids PID,...] [--rounds R] [--repoll | --repoll-immediate]
//               [--workers W] [--sources K] [--wait SECONDS] [--timeout SECONDS] [--open-window C]
//               [--pause SECONDS (before the first trigger and each storm, e.g. to attach perf)] [--deadline SECONDS]
//   gateway-bench rate --target gateway|static --ports P --n K --seconds T [--path /static/state.json]
//                      [--jwt-key KID:SECRET] [--webinar W] [--server-pids ...] [--aux-pids ...] [--workers W]
//
// fanout: N keep-alive clients park a long-poll each (gateway: GET state for the ETag, then GET ?wait=
// with If-None-Match and a per-user JWT; nchan: GET the subscriber location, which waits for the next
// message), parking is confirmed from the server's own gauge (gateway_parked_polls summed over every
// gateway PID; Nchan's stub status `subscribers:`), one trigger is fired (the CTA hook; a POST to the
// Nchan publisher), and the report gives 200/other/errors/missing, latency from the trigger to the
// first/p50/p90/p99/last answer, server RSS and PSS per parked poll, and server CPU per delivered answer.
// --repoll: after every client has its answer, all poll again at once (a storm) with the new
// validators; the time until the server holds them all again is reported. --repoll-immediate: each
// client polls again as soon as its answer arrives; the time is from the trigger.
// rate: K connections in a closed loop of immediate GETs with a matching If-None-Match (→ 304).
// Above 18,000 connections (or with --workers W) the clients run in W worker processes of this
// executable, each with its own source addresses 127.0.0.X; they report CLOCK_MONOTONIC answer times
// (a system-wide clock) and the parent computes latency from its own trigger time.
import Foundation
import Glibc

func die(_ m: String) -> Never {
    FileHandle.standardError.write(Data(("gateway-bench: " + m + "\n").utf8))
    exit(2)
}

let usage = """
usage: gateway-bench fanout --target gateway --ports P[,P...] --n N --jwt-key KID:SECRET [--webinar W] [--wait S]
       gateway-bench fanout --target nchan --ports P --n N [--sub-path /sub/bench] [--pub-path /pub/bench]
                            [--status-path /nchan_status] [--message-bytes B]
       gateway-bench rate --target gateway|static --ports P --n K --seconds T [--path /static/state.json]
                          [--jwt-key KID:SECRET] [--webinar W]
common: --server-pids PID,... (RSS/PSS/CPU summed)  --aux-pids PID,... (CPU reported apart, e.g. redis)
        --rounds R  --repoll (storm after every answer came)  --repoll-immediate (re-poll on each answer)
        --workers W (client processes; automatic above 18,000)  --sources K (source addresses per process)
        --timeout S (each wait)  --deadline S (whole process)  --open-window C  --pause S (before triggers/storms)
Loopback only. Prints one line per phase: parked, memory, round R, repoll R, rate.
"""
var args = Array(CommandLine.arguments.dropFirst())
var o = BenchOptions()
if args.first == "worker" {
    o.isWorker = true
    args.removeFirst()
}
if args.first == "--help" || args.first == "-h" || args.contains("--help") { print(usage); exit(0) }
guard let mode = args.first, mode == "fanout" || mode == "rate" else { die(usage) }
o.mode = mode
args.removeFirst()
// What a worker gets: the same options (it adds --range and --source-first).
var childArguments: [String] = []
var i = 0
while i < args.count {
    let a = args[i]
    let v = i + 1 < args.count ? args[i + 1] : ""
    var forward = true
    switch a {
    case "--target":
        guard let t = TargetKind(rawValue: v) else { die("--target gateway|nchan|static") }
        o.target = t; i += 1
    case "--ports": o.ports = v.split(separator: ",").compactMap { UInt16($0) }; i += 1
    case "--n": o.count = Int(v) ?? 0; i += 1
    case "--jwt-key":
        let p = v.split(separator: ":", maxSplits: 1)
        guard p.count == 2 else { die("--jwt-key KID:SECRET") }
        o.kid = String(p[0]); o.secret = String(p[1]); i += 1
    case "--webinar": o.webinar = v; i += 1
    case "--server-pids": o.serverPIDs = v.split(separator: ",").compactMap { Int32($0) }; i += 1
    case "--aux-pids": o.auxPIDs = v.split(separator: ",").compactMap { Int32($0) }; i += 1
    case "--rounds": o.rounds = max(1, Int(v) ?? 1); i += 1
    case "--repoll": o.repoll = true
    case "--repoll-immediate": o.repollImmediate = true
    case "--sources": o.sourceAddresses = max(1, min(120, Int(v) ?? 8)); i += 1
    case "--source-first": o.sourceFirst = max(2, min(254, Int(v) ?? 2)); i += 1; forward = false
    case "--wait": o.waitSeconds = max(1, Int(v) ?? 60); i += 1
    case "--timeout": o.timeoutSeconds = Double(v) ?? 60; i += 1
    case "--workers": o.workers = max(0, min(16, Int(v) ?? 0)); i += 1; forward = false
    case "--sub-path": o.subPath = v; i += 1
    case "--pub-path": o.pubPath = v; i += 1
    case "--status-path": o.statusPath = v; i += 1
    case "--message-bytes": o.messageBytes = max(16, min(65536, Int(v) ?? 200)); i += 1
    case "--seconds": o.seconds = max(0.1, min(600, Double(v) ?? 8)); i += 1
    case "--path": o.path = v; i += 1
    case "--open-window": o.openWindow = max(1, Int(v) ?? 512); i += 1
    case "--pause": o.pauseSeconds = max(0, min(120, Double(v) ?? 0)); i += 1
    case "--deadline": o.deadlineSeconds = max(10, Int(v) ?? 600); i += 1
    case "--range":
        let p = v.split(separator: ":").compactMap { Int($0) }
        guard p.count == 2 else { die("--range FROM:TO") }
        o.rangeFrom = p[0]; o.rangeTo = p[1]; i += 1; forward = false
    default: die("unknown option \(a)")
    }
    if forward {
        childArguments.append(a)
        if i < args.count && args[i] != a { childArguments.append(args[i]) }
    }
    i += 1
}
guard o.count > 0, !o.ports.isEmpty else { die("--n must be at least 1, --ports at least one port") }
if o.mode == "fanout" && o.target == .staticFile { die("fanout needs --target gateway or nchan") }
if o.mode == "rate" && o.target == .nchan { die("rate needs --target gateway or static") }
// Bounded in time whatever happens: SIGALRM ends the process (and a worker's stdin EOF ends it too).
alarm(UInt32(o.deadlineSeconds))
signal(SIGPIPE, SIG_IGN)

if o.isWorker { runWorker(o) }
let groups = makeGroups(o, childArguments: childArguments)
let status = o.mode == "rate" ? runRate(o, groups: groups) : runFanout(o, groups: groups)
for g in groups { g.shutdown() }
exit(status)

// The orchestrator (main thread of the parent process): builds the client groups, confirms parking
// from the server's own gauge (never a sleep), fires the trigger, waits for every answer (bounded),
// reads RSS/PSS and CPU from /proc, and prints one report line per phase.
import Foundation
import Gateway
import Glibc

/// Splits the run over client groups: in-process up to `perWorkerLimit` connections (unless
/// `--workers` says otherwise), else W worker processes with disjoint index ranges and source addresses.
func makeGroups(_ o: BenchOptions, childArguments: [String]) -> [ClientGroup] {
    var w = o.workers
    if w == 0 && o.count > BenchOptions.perWorkerLimit {
        w = (o.count + BenchOptions.perWorkerLimit - 1) / BenchOptions.perWorkerLimit
    }
    if w <= 0 {
        do { return [try LocalGroup(options: o)] } catch { die("cannot create a loop: \(error)") }
    }
    var groups: [ClientGroup] = []
    for k in 0..<w {
        let from = k * o.count / w, to = (k + 1) * o.count / w
        guard to - from <= 19_000 else { die("\(to - from) connections for one worker: use more --workers (fd limit 20,000 per process)") }
        let first = o.sourceFirst + k * o.sourceAddresses
        guard first + o.sourceAddresses - 1 <= 254 else { die("too many source addresses: lower --sources or --workers") }
        let args = ["worker", o.mode] + childArguments + ["--range", "\(from):\(to)", "--source-first", "\(first)"]
        do { groups.append(try RemoteGroup(arguments: args)) } catch { die("cannot start worker \(k): \(error)") }
    }
    return groups
}

struct GroupStatus {
    var answered = 0, ok200 = 0, other = 0, failed = 0, settled = 0

    init() {}
    init(_ line: String) {
        let f = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        if f.count == 5 { answered = f[0]; ok200 = f[1]; other = f[2]; failed = f[3]; settled = f[4] }
    }

    static func sum(_ groups: [ClientGroup]) -> GroupStatus {
        var s = GroupStatus()
        for line in groups.map({ $0.command("status") }) {   // quick replies: one after the other
            let g = GroupStatus(line)
            s.answered += g.answered; s.ok200 += g.ok200; s.other += g.other; s.failed += g.failed; s.settled += g.settled
        }
        return s
    }
}

/// Fires the change every parked poll waits for; returns false when the server refused it.
final class Trigger {
    let o: BenchOptions
    let conn: KeepAliveHTTP
    let systemToken: String
    var visible = true

    init(_ o: BenchOptions) {
        self.o = o
        conn = KeepAliveHTTP(port: o.ports[0])
        systemToken = JWTSigner.sign(Claims(sub: "bench-system", role: .system, exp: Int64(Date().timeIntervalSince1970) + 7200), kid: o.kid, secret: o.secret)
    }

    /// Connects ahead of time so the trigger's own connect is not timed.
    func prepare() { conn.drop(); conn.connectIfNeeded() }

    /// Sends the trigger; returns (t0, ok). For the gateway a hook that changed nothing ("applied":false,
    /// the room already had that visibility) is sent again with the other value, and t0 restarts.
    func fire() -> (UInt64, Bool) {
        switch o.target {
        case .gateway:
            for _ in 0..<2 {
                let t0 = monoNow()
                let (st, body) = conn.request("POST", "/v1/hooks/core_webinar_set_cta_visibility",
                                              headers: [("Authorization", "Bearer \(systemToken)"), ("Content-Type", "application/json")],
                                              body: "{\"webinar_id\":\"\(o.webinar)\",\"visible\":\(visible)}")
                visible.toggle()
                guard st == 200 else { say("trigger failed: status \(st) \(body)"); return (t0, false) }
                if !body.replacingOccurrences(of: " ", with: "").contains("\"applied\":false") { return (t0, true) }
            }
            say("trigger failed: the hook changed nothing twice")
            return (0, false)
        case .nchan, .staticFile:
            let t0 = monoNow()
            let (st, body) = conn.request("POST", o.pubPath, headers: [("Content-Type", "application/json")], body: Trigger.message(o.messageBytes))
            guard st == 201 || st == 202 else { say("trigger failed: status \(st) \(body)"); return (t0, false) }
            return (t0, true)
        }
    }

    /// A JSON message of `bytes` bytes, shaped like a room state.
    static func message(_ bytes: Int) -> String {
        let head = "{\"webinar_id\":\"bench-w1\",\"status\":\"live\",\"cta_visibility\":true,\"pad\":\""
        let tail = "\"}"
        return head + String(repeating: "x", count: max(0, bytes - head.count - tail.count)) + tail
    }
}

/// `fanout`: returns the exit status (0 = every answer came, no errors).
func runFanout(_ o: BenchOptions, groups: [ClientGroup]) -> Int32 {
    let pids = o.serverPIDs, aux = o.auxPIDs
    let gauge = ServerGauge(options: o)
    guard gauge.prepare() else { return 1 }
    let trigger = Trigger(o)
    var clean = true
    let base = gauge.parked()
    if base != 0 { say("warning: server gauge shows \(base) parked polls before the run") }
    let rss0 = Proc.rssKiB(pids), pss0 = Proc.pssKiB(pids)
    let tPark = monoNow()
    _ = forAll(groups) { $0.command("start") }
    var setup = GroupStatus()
    let parkedOK = waitFor("\(o.count) polls parked (server gauge)", seconds: o.timeoutSeconds) {
        setup = GroupStatus.sum(groups)
        guard setup.settled >= o.count else { return false }
        return gauge.parked() - base >= o.count - setup.failed
    }
    guard parkedOK else {
        say("parked: n=\(o.count) FAILED gauge=\(gauge.parked()) settled=\(setup.settled) errors=\(setup.failed)")
        return 1
    }
    usleep(200_000)   // let the allocator settle before reading memory; parking is already confirmed
    let rss1 = Proc.rssKiB(pids), pss1 = Proc.pssKiB(pids)
    say("parked: n=\(o.count) ms=\(fmt(Double(monoNow() - tPark) / 1e6)) errors=\(setup.failed) (server-confirmed)")
    if !pids.isEmpty {
        say("memory: rss_kib=\(rss0)->\(rss1) rss_bytes_per_poll=\(Int(Double(rss1 - rss0) * 1024 / Double(o.count)))"
            + " pss_kib=\(pss0)->\(pss1) pss_bytes_per_poll=\(Int(Double(pss1 - pss0) * 1024 / Double(o.count))) processes=\(pids.count)")
    }
    if setup.failed > 0 { clean = false }
    if o.pauseSeconds > 0 {
        say("pause: \(fmt(o.pauseSeconds)) s before the first trigger")
        usleep(UInt32(o.pauseSeconds * 1e6))
    }
    let live = o.count - setup.failed
    for round in 1...o.rounds {
        _ = forAll(groups) { $0.command("round") }
        trigger.prepare()
        let cpu0 = Proc.cpuNanos(pids), aux0 = Proc.cpuNanos(aux)
        let (t0, ok) = trigger.fire()
        guard ok else { return 1 }
        var st = GroupStatus()
        let all = waitFor("all answers", seconds: o.timeoutSeconds) {
            st = GroupStatus.sum(groups)
            return st.answered + st.failed >= o.count
        }
        let cpu1 = Proc.cpuNanos(pids), aux1 = Proc.cpuNanos(aux)
        var times: [UInt64] = []
        for line in forAll(groups, { $0.command("times") }) {
            times += line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        }
        let lat = times.filter { $0 > t0 }.map { Double($0 - t0) / 1e6 }.sorted()
        let delivered = st.ok200
        let missing = o.count - st.answered - st.failed
        if !all || missing > 0 || st.failed > 0 || st.other > 0 { clean = false }
        let cpuPer = delivered > 0 ? Double(cpu1 - cpu0) / Double(delivered) / 1000 : .nan
        let auxPer = delivered > 0 ? Double(aux1 - aux0) / Double(delivered) / 1000 : .nan
        say("round \(round): n=\(o.count) 200=\(delivered) other=\(st.other) errors=\(st.failed) missing=\(missing)"
            + " latency_ms first=\(fmt(lat.first ?? .nan)) p50=\(fmt(percentile(lat, 50))) p90=\(fmt(percentile(lat, 90))) p99=\(fmt(percentile(lat, 99))) last=\(fmt(lat.last ?? .nan))"
            + (pids.isEmpty ? "" : " server_cpu_us_per_response=\(fmt(cpuPer))")
            + (aux.isEmpty ? "" : " aux_cpu_us_per_response=\(fmt(auxPer))"))
        guard all else { return 1 }
        if o.repollImmediate {
            // Every client re-polled as soon as its answer came: wait until the server holds them all again.
            let done = waitFor("re-park", seconds: o.timeoutSeconds) { gauge.parked() - base >= live }
            let t = monoNow()
            guard done else { say("repoll \(round): n=\(o.count) FAILED gauge=\(gauge.parked())"); return 1 }
            say("repoll \(round): n=\(o.count) mode=immediate reparked_ms=\(fmt(Double(t - t0) / 1e6)) after_last_answer_ms=\(fmt(Double(t) / 1e6 - Double(t0) / 1e6 - (lat.last ?? 0))) (server-confirmed, from the trigger)")
        } else if o.repoll || round < o.rounds {
            // Storm: every client polls again at the same moment.
            if o.pauseSeconds > 0 && o.repoll {
                say("pause: \(fmt(o.pauseSeconds)) s before the re-poll storm")
                usleep(UInt32(o.pauseSeconds * 1e6))
            }
            let before = gauge.parked() - base
            let tr = monoNow()
            _ = forAll(groups) { $0.command("repark") }
            let done = waitFor("re-park", seconds: o.timeoutSeconds) { gauge.parked() - base >= live }
            let t = monoNow()
            guard done else { say("repoll \(round): n=\(o.count) FAILED gauge=\(gauge.parked())"); return 1 }
            if o.repoll {
                say("repoll \(round): n=\(o.count) mode=storm reparked_ms=\(fmt(Double(t - tr) / 1e6)) gauge_before=\(before) (server-confirmed, from the re-poll)")
            }
        }
    }
    return clean ? 0 : 1
}

/// `rate`: returns the exit status (0 = no errors, no unexpected statuses).
func runRate(_ o: BenchOptions, groups: [ClientGroup]) -> Int32 {
    let pids = o.serverPIDs, aux = o.auxPIDs
    _ = forAll(groups) { $0.command("start") }
    var setup = GroupStatus()
    guard waitFor("\(o.count) connections ready", seconds: o.timeoutSeconds, {
        setup = GroupStatus.sum(groups)
        return setup.settled >= o.count
    }) else { return 1 }
    let cpu0 = Proc.cpuNanos(pids), aux0 = Proc.cpuNanos(aux)
    let replies = forAll(groups) { $0.command("rate \(o.seconds)") }
    let cpu1 = Proc.cpuNanos(pids), aux1 = Proc.cpuNanos(aux)
    var requests = 0, s200 = 0, s304 = 0, other = 0, errors = setup.failed
    var rps = 0.0
    var hist = LatencyHistogram()
    var otherStatuses: [Int: Int] = [:]
    for r in replies {
        let f = r.split(separator: " ")
        guard f.count == 9, f[0] == "rate", let n = Int(f[1]), let a = Int(f[2]), let b = Int(f[3]), let c = Int(f[4]), let e = Int(f[5]), let el = Double(f[6]) else {
            say("rate: bad worker reply: \(r.prefix(200))")
            return 1
        }
        requests += n; s200 += a; s304 += b; other += c; errors += e
        rps += Double(n) / (el / 1e9)
        hist.merge(encoded: f[7])
        for kv in f[8].split(separator: ",") {
            let p = kv.split(separator: ":").compactMap { Int($0) }
            if p.count == 2 { otherStatuses[p[0], default: 0] += p[1] }
        }
    }
    let cpuPer = requests > 0 ? Double(cpu1 - cpu0) / Double(requests) / 1000 : .nan
    let auxPer = requests > 0 ? Double(aux1 - aux0) / Double(requests) / 1000 : .nan
    say("rate: target=\(o.target.rawValue) k=\(o.count) seconds=\(fmt(o.seconds)) requests=\(requests) rps=\(Int(rps)) 200=\(s200) 304=\(s304) other=\(other) errors=\(errors)"
        + " latency_ms p50=\(fmt2(hist.percentileMillis(50))) p90=\(fmt2(hist.percentileMillis(90))) p99=\(fmt2(hist.percentileMillis(99)))"
        + (pids.isEmpty ? "" : " server_cpu_us_per_request=\(fmt2(cpuPer))")
        + (aux.isEmpty ? "" : " aux_cpu_us_per_request=\(fmt2(auxPer))")
        + (otherStatuses.isEmpty ? "" : " other_statuses=" + otherStatuses.sorted { $0.key < $1.key }.map { "\($0.key)x\($0.value)" }.joined(separator: ",")))
    let expected = o.target == .gateway || o.target == .staticFile ? s304 : s200
    return errors == 0 && other == 0 && expected == requests ? 0 : 1
}

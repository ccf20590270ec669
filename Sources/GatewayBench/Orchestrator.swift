// The orchestrator thread of a fanout run: parks, triggers, waits, measures, reports.
import Foundation
import Gateway
import Reactor

func waitFor(_ what: String, seconds: Double, _ cond: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end { if cond() { return true }; usleep(2000) }
    FileHandle.standardError.write(Data("gateway-bench: timed out waiting for \(what)\n".utf8))
    return false
}

func orchestrate(_ o: BenchOptions, run: FanoutRun, loop: EventLoop, systemToken: String) {
    let pids = o.serverPIDs

    defer { loop.stop() }
    let rssBefore = pids.map(Proc.rssKiB).reduce(0, +)
    loop.execute { run.openAll() }
    let t0Park = Date()
    guard waitFor("\(o.count) polls parked (server gauge)", seconds: o.timeoutSeconds, { BlockingHTTP.parked(o.ports) >= o.count }) else { return }
    print("parked: \(o.count) polls in \(fmt(Date().timeIntervalSince(t0Park) * 1000)) ms (server-confirmed)")
    let rssAfter = pids.map(Proc.rssKiB).reduce(0, +)
    if !pids.isEmpty {
        print("memory: server RSS \(rssBefore) KiB -> \(rssAfter) KiB, \(Int(Double(rssAfter - rssBefore) * 1024 / Double(o.count))) bytes per parked poll")
    }
    var visible = true
    for round in 1...o.rounds {
        run.answeredCount.store(0, ordering: .relaxed)
        run.ok200.store(0, ordering: .relaxed)
        run.other.store(0, ordering: .relaxed)
        let cpu0 = pids.map(Proc.cpuNanos).reduce(0, +)
        let t0 = MonotonicClock().nowNanos()
        let (st, _) = BlockingHTTP.request(port: o.ports[0], "POST", "/v1/hooks/core_webinar_set_cta_visibility",
                                           headers: [("Authorization", "Bearer \(systemToken)"), ("Content-Type", "application/json")],
                                           body: "{\"webinar_id\":\"\(o.webinar)\",\"visible\":\(visible)}")
        visible.toggle()
        guard st == 200 else { print("trigger failed: status \(st)"); return }
        _ = waitFor("all answers", seconds: o.timeoutSeconds) {
            run.answeredCount.load(ordering: .relaxed) + run.failedCount.load(ordering: .relaxed) >= o.count
        }
        let cpu1 = pids.map(Proc.cpuNanos).reduce(0, +)
        let lat = DispatchQueue(label: "collect").sync { () -> [Double] in
            let s = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var out: [Double] = []
            loop.execute { out = run.latencies(since: t0); s.signal() }
            s.wait()
            return out
        }
        let delivered = run.ok200.load(ordering: .relaxed)
        let cpuPer = delivered > 0 && !pids.isEmpty ? Double(cpu1 - cpu0) / Double(delivered) / 1000 : .nan
        print("round \(round): n=\(o.count) 200=\(delivered) other=\(run.other.load(ordering: .relaxed)) errors=\(run.failedCount.load(ordering: .relaxed)) missing=\(o.count - run.answeredCount.load(ordering: .relaxed) - run.failedCount.load(ordering: .relaxed))"
              + " latency_ms first=\(fmt(lat.first ?? .nan)) p50=\(fmt(percentile(lat, 50))) p90=\(fmt(percentile(lat, 90))) p99=\(fmt(percentile(lat, 99))) last=\(fmt(lat.last ?? .nan))"
              + (pids.isEmpty ? "" : " server_cpu_us_per_response=\(fmt(cpuPer))"))
        if o.repoll && round < o.rounds {
            let tr = Date()
            loop.execute { run.reparkAll() }
            guard waitFor("re-park", seconds: o.timeoutSeconds, { BlockingHTTP.parked(o.ports) >= o.count }) else { return }
            print("repoll: \(o.count) clients re-parked in \(fmt(Date().timeIntervalSince(tr) * 1000)) ms (server-confirmed)")
        } else if round < o.rounds {
            loop.execute { run.reparkAll() }
            guard waitFor("re-park", seconds: o.timeoutSeconds, { BlockingHTTP.parked(o.ports) >= o.count }) else { return }
        }
    }

}

#!/usr/bin/env python3
"""Turns the run files of bench/run into docs/benchmarks.md: median and range per cell, gateway/Nchan
ratios, the goals of issue 6 met or missed, the errors of every run, the commands, the hand-written
notes (bench/benchmarks-notes.md) and the earlier results (docs/results/*.txt).
Usage: report.py WORKDIR OUT.md"""
import glob
import os
import re
import statistics
import sys

work, out = sys.argv[1], sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

meta = {}
for line in open(os.path.join(work, "meta.txt")):
    for tok in re.findall(r"(\w+)=(\S+)", line):
        meta.setdefault(tok[0], tok[1])
    if line.startswith("swift="):
        meta["swift"] = line.strip()[6:]
    if line.startswith("remark="):
        meta.setdefault("remarks", []).append(line.strip()[7:])

# runs[(cell, target)][rep] = {"cmd":..., "exit":..., "vals": {key: float}, "lines": [...]}
runs = {}
for path in sorted(glob.glob(os.path.join(work, "runs", "*.txt"))):
    name = os.path.basename(path)[:-4]
    cell, target, rep = name.split(".")
    rec = {"cmd": "", "exit": None, "vals": {}, "lines": []}
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("$ "):
            rec["cmd"] = line[2:]
            continue
        rec["lines"].append(line)
        m = re.match(r"^(parked|memory|round \d+|repoll \d+|rate):", line)
        if m:
            kind = m.group(1).split()[0]
            for k, v in re.findall(r"([\w]+)=([-\d.]+|nan)\b", line):
                try:
                    rec["vals"].setdefault(kind + "." + k, []).append(float(v))
                except ValueError:
                    pass
        m = re.match(r"^exit=(\d+)", line)
        if m:
            rec["exit"] = int(m.group(1))
        m = re.search(r"--rounds (\d+)", rec["cmd"])
        if m:
            rec["rounds"] = int(m.group(1))
        m = re.match(r"^processes=(\d+)", line)
        if m:
            rec["processes"] = line
    runs.setdefault((cell, target), {})[int(rep)] = rec


def values(cell, target, key):
    reps = runs.get((cell, target), {})
    return [x for r in reps.values() for x in r["vals"].get(key, []) if x == x]


def med(cell, target, key):
    v = values(cell, target, key)
    return statistics.median(v) if v else None


def fmt(x, digits=1):
    if x is None:
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def cellfmt(cell, target, key, digits=1):
    v = values(cell, target, key)
    if not v:
        return "–"
    m = statistics.median(v)
    if len(v) == 1:
        return fmt(m, digits)
    return f"{fmt(m, digits)} ({fmt(min(v), digits)}–{fmt(max(v), digits)})"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def rfmt(r):
    return "–" if r is None else f"{r:.2f}"


sizes = sorted({int(c.split("-")[1]) for c, _ in runs if c.startswith("fanout-")})
targets = ["gateway", "nchan-mem", "nchan-redis"]
tnames = {"gateway": "gateway", "nchan-mem": "Nchan (memory)", "nchan-redis": "Nchan (Redis)"}
metrics = [
    ("memory.rss_bytes_per_poll", "memory per parked poll, bytes (server RSS growth / N)", 0),
    ("memory.pss_bytes_per_poll", "memory per parked poll, bytes (PSS growth / N)", 0),
    ("round.p50", "fan-out: median answer, ms after the trigger", 1),
    ("round.last", "fan-out: last answer, ms after the trigger", 1),
    ("round.server_cpu_us_per_response", "fan-out: server CPU per delivered answer, µs", 1),
    ("round.aux_cpu_us_per_response", "fan-out: its Redis's CPU per delivered answer, µs", 2),
    ("repoll.reparked_ms", "re-poll storm: all N parked again, ms after the re-poll (server-confirmed)", 1),
    ("parked.ms", "set-up: N connections opened and parked, ms", 0),
]
quick = meta.get("quick") == "1"
mid = 10000 if 10000 in sizes else (sorted(s for s in sizes if s != max(sizes))[-1] if len(sizes) > 1 else sizes[0])
maxn = max(sizes) if sizes else 0

L = []
L.append("# Benchmarks")
L.append("")
L.append("Benchmarks are commands, not timed tests. Each section says what produced it. The long-poll")
L.append("comparison with nginx + Nchan below is written by `bench/run` (issue 6); re-run it to refresh it.")
L.append("")
summary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "benchmarks-summary.md")
if os.path.exists(summary):
    L.append(open(summary).read().rstrip())
    L.append("")
L.append("## Long-poll gateway vs nginx + Nchan (`bench/run`)")
L.append("")
L.append(f"Run of {meta.get('date', '?')}{' (**--quick**: 1 repetition, smaller N; not the reference run)' if quick else ''}: "
         f"{meta.get('reps', '?')} repetition(s) per cell, {meta.get('rounds', '1')} round(s) per run (fan-out then re-poll), targets alternated, every server restarted for every run. "
         f"{meta.get('cpus', '?')} cores, {meta.get('mem', '?')}, kernel {meta.get('kernel', '?')}; {meta.get('swift', 'Swift ?')}, "
         f"nginx {meta.get('nginx', '?')} with Nchan {meta.get('nchan', '?')}, redis-server {meta.get('redis', '?')}. "
         f"1-minute load average before/after: {meta.get('load_before', '?')} / {meta.get('load_after', '?')}; "
         f"{meta.get('elapsed_s', '?')} s of measuring.")
L.append("")
for remark in meta.get("remarks", []):
    L.append(f"Remark on this run: {remark}")
    L.append("")
L.append("Cells are `median (min–max)` over every round of every repetition (memory and set-up: one value per run); "
         "ratios are gateway ÷ Nchan of the medians (lower is better for everything but requests/s).")
L.append("")
L.append("What runs: the gateway with JWT auth (one HS256 token per simulated user) and Redis throttling "
         "`enforce` on the state route (limits set high: `rate=100000 burst=1000000`, so the runs measure "
         "the cost of throttling, not refusals), one process with 2 event-loop threads for N ≤ 19,500, "
         "else ⌈N/19,500⌉ processes with 1 thread each on one SO_REUSEPORT port; nginx with 2 workers "
         "(`reuseport`, `worker_rlimit_nofile 20000`), Nchan long-poll subscriber with "
         "`nchan_subscriber_first_message newest`, memory backend or `nchan_use_redis on`. "
         "Clients: `gateway-bench` on the same 2 cores (worker processes above 18,000 connections), "
         "sources spread over 127.0.0.2–.25. The trigger is the CTA hook (gateway) or a 117-byte POST to "
         "the publisher (Nchan), the same size as the gateway's state body.")
L.append("")

for n in sizes:
    cell = f"fanout-{n}"
    have = [t for t in targets if (cell, t) in runs]
    L.append(f"### Fan-out to N = {n:,} parked long-polls, then a re-poll storm")
    L.append("")
    procs = next((r.get("processes") for r in runs.get((cell, "gateway"), {}).values() if r.get("processes")), "")
    if procs:
        L.append(f"Gateway: {procs.replace('processes=', '').replace(' threads=', ' process(es) × ')} thread(s).")
        L.append("")
    head = "| metric | " + " | ".join(tnames[t] for t in have) + " | " + " | ".join(f"gateway ÷ {tnames[t]}" for t in have if t != "gateway") + " |"
    L.append(head)
    L.append("|" + "---|" * (1 + len(have) + len([t for t in have if t != "gateway"])))
    for key, label, digits in metrics:
        if not any(values(cell, t, key) for t in have):
            continue
        row = f"| {label} | " + " | ".join(cellfmt(cell, t, key, digits) for t in have)
        g = med(cell, "gateway", key)
        row += " | " + " | ".join(rfmt(ratio(g, med(cell, t, key))) if not key.startswith(("round.aux", "parked")) else "" for t in have if t != "gateway") + " |"
        L.append(row)
    L.append("")

icell = f"immediate-{mid}"
if (icell, "gateway") in runs:
    have = [t for t in targets if (icell, t) in runs]
    L.append(f"### Re-poll on answer, N = {mid:,}: each client polls again as soon as its answer arrives")
    L.append("")
    L.append("| metric | " + " | ".join(tnames[t] for t in have) + " | " + " | ".join(f"gateway ÷ {tnames[t]}" for t in have if t != "gateway") + " |")
    L.append("|" + "---|" * (1 + len(have) + len([t for t in have if t != "gateway"])))
    for key, label in [("repoll.reparked_ms", "all N parked again, ms after the trigger (server-confirmed)"),
                       ("round.last", "last answer, ms after the trigger"),
                       ("round.server_cpu_us_per_response", "server CPU per delivered answer incl. its re-poll, µs")]:
        g = med(icell, "gateway", key)
        L.append(f"| {label} | " + " | ".join(cellfmt(icell, t, key) for t in have) + " | "
                 + " | ".join(rfmt(ratio(g, med(icell, t, key))) for t in have if t != "gateway") + " |")
    L.append("")

if ("rate", "gateway") in runs:
    L.append(f"### Immediate GETs (rate mode): {meta.get('rate_k', '?')} connections, closed loop, {meta.get('rate_seconds', '?')} s, 2 client processes")
    L.append("")
    L.append("Gateway: `GET /v1/webinars/W/state` with the connection's own user token and a matching "
             "If-None-Match, no wait → 304 (auth + one Redis round trip: throttle script and state read). "
             "nginx: a static file with a matching If-None-Match → 304 (`open_file_cache` on), the ceiling.")
    L.append("")
    L.append("| metric | gateway | nginx static 304 | gateway ÷ nginx |")
    L.append("|---|---|---|---|")
    for key, label, digits in [("rate.rps", "requests/s", 0), ("rate.p50", "latency p50, ms", 2), ("rate.p99", "latency p99, ms", 2),
                               ("rate.server_cpu_us_per_request", "server CPU per request, µs", 2),
                               ("rate.aux_cpu_us_per_request", "its Redis's CPU per request, µs", 2)]:
        g, s = med("rate", "gateway", key), med("rate", "nginx-static", key)
        L.append(f"| {label} | {cellfmt('rate', 'gateway', key, digits)} | {cellfmt('rate', 'nginx-static', key, digits)} | "
                 f"{rfmt(ratio(g, s)) if key != 'rate.aux_cpu_us_per_request' else ''} |")
    L.append("")

# Goals.
def verdict(ok):
    return "–" if ok is None else ("**met**" if ok else "**missed**")


goals = []
def cmp_goal(label, key, limit, higher_better=False, cell=None, against=("nchan-mem", "nchan-redis")):
    cell = cell or f"fanout-{mid}"
    g = med(cell, "gateway", key)
    parts, oks = [], []
    for t in against:
        r = ratio(g, med(cell, t, key))
        if r is None:
            continue
        ok = r >= limit if higher_better else r <= limit
        oks.append(ok)
        parts.append(f"{rfmt(r)} vs {tnames.get(t, t)}")
    goals.append((label, ("≥ " if higher_better else "≤ ") + f"{limit:g}×", "; ".join(parts) or "–", verdict(all(oks) if oks else None)))


cmp_goal(f"Memory per parked poll (N = {mid:,})", "memory.rss_bytes_per_poll", 0.4)
cmp_goal(f"One change to N = {mid:,}: last answer", "round.last", 0.5)
cmp_goal(f"One change to N = {mid:,}: server CPU per delivered answer", "round.server_cpu_us_per_response", 0.5)
cmp_goal(f"Re-poll storm of N = {mid:,} (all at once): all re-parked", "repoll.reparked_ms", 1.0)
if (icell, "gateway") in runs:
    cmp_goal(f"Re-poll on answer, N = {mid:,}: all re-parked after the trigger", "repoll.reparked_ms", 1.0, cell=icell)
g, s = med("rate", "gateway", "rate.rps"), med("rate", "nginx-static", "rate.rps")
r = ratio(g, s)
goals.append(("Immediate GETs with auth and throttling, requests/s", "≥ 0.6× nginx static 304", f"{rfmt(r)}", verdict(None if r is None else r >= 0.6)))

# Errors over every run.
bad = []
total_runs = 0
for (cell, target), reps in sorted(runs.items()):
    for rep, rec in sorted(reps.items()):
        total_runs += 1
        v = rec["vals"]
        problems = []
        for k, label in (("parked.errors", "connections failed while parking"), ("round.errors", "answer errors (all rounds)"),
                         ("round.missing", "missing answers"), ("round.other", "non-200 answers"),
                         ("rate.errors", "connection errors"), ("rate.other", "statuses other than 304"), ("rate.200", "200s instead of 304")):
            if sum(v.get(k, [])) > 0:
                problems.append(f"{label} {int(sum(v[k]))}")
        for line in rec["lines"]:
            m = re.search(r"other_statuses=(\S+)", line)
            if m:
                problems.append(f"statuses {m.group(1)}")
        want = rec.get("rounds", 1)
        if cell.startswith(("fanout", "immediate")) and len(v.get("round.n", [])) < want:
            problems.append(f"{len(v.get('round.n', []))} of {want} answer reports")
        if cell.startswith(("fanout", "immediate")) and len(v.get("repoll.reparked_ms", [])) < want:
            problems.append(f"{len(v.get('repoll.reparked_ms', []))} of {want} re-park reports")
        if rec["exit"] != 0:
            problems.append(f"exit={rec['exit']}")
        if problems:
            bad.append(f"{cell} {target} #{rep}: " + ", ".join(problems))
goals.append(("Zero errors and zero missing answers in every run", "0", f"{len(bad)} of {total_runs} runs with problems", verdict(not bad)))

L.append("### Goals of issue 6 (ratios from this run)")
L.append("")
L.append("| goal | target | measured (gateway ÷ …) | verdict |")
L.append("|---|---|---|---|")
for row in goals:
    L.append("| " + " | ".join(row) + " |")
L.append("")
if bad:
    L.append("Runs with errors, missing answers, unexpected statuses or a non-zero exit:")
    L.append("")
    for b in bad:
        L.append(f"- {b}")
    L.append("")

notes = os.path.join(root, "bench", "benchmarks-notes.md")
if os.path.exists(notes):
    L.append(open(notes).read().rstrip())
    L.append("")

L.append("### Commands of this run")
L.append("")
L.append("`bench/run` (full) or `bench/run --quick`; it builds with `swift build -c release --scratch-path .build-bench`, "
         "starts two redis-servers (the gateway's; the Nchan Redis backend's), and for every run a fresh gateway "
         "(`gateway serve --listen 127.0.0.1:18610 --threads T --redis … --jwt-keys … --max-wait 120`, P processes) "
         "or a fresh nginx (config from `bench/nginx-nchan.conf.in`). One command per cell and target (first repetition):")
L.append("")
L.append("```")
for (cell, target), reps in sorted(runs.items()):
    rec = reps[min(reps)]
    cmd = rec["cmd"].replace(root + "/", "")
    cmd = re.sub(r"--server-pids \S+", "--server-pids PIDS", cmd)
    cmd = re.sub(r"--aux-pids \S+", "--aux-pids REDIS_PID", cmd)
    L.append(cmd)
L.append("```")
L.append("")
L.append("<details><summary>Every report line of this run</summary>")
L.append("")
L.append("```")
for (cell, target), reps in sorted(runs.items()):
    for rep, rec in sorted(reps.items()):
        L.append(f"== {cell} {target} #{rep}")
        for line in rec["lines"]:
            L.append(line)
L.append("```")
L.append("")
L.append("</details>")
L.append("")

# Earlier results, kept.
L.append("## Earlier benchmarks")
L.append("")
about = {
    "foundation": "Foundation (issue 2): `wrk` keep-alive GET of a tiny answer, gateway vs nginx at the same "
                  "thread/worker count, 3 alternated rounds; then the gateway's RSS with 10,000 idle keep-alive "
                  "connections (`bench/idle_conns.py`). Command: `bench/foundation [THREADS] [SECONDS]`.",
    "throttle": "Throttle cost (issue 4): immediate `GET state` requests/s with throttling `enforce` vs `off` "
                "(limits set high so nothing is refused), 3 alternated rounds, and Redis round trips per request "
                "(client-issued EVALSHA/EVAL in `INFO commandstats`, delta / requests). Command: "
                "`bench/throttle [THREADS] [SECONDS]`.",
    "fanout": "Fan-out A/B (issue 3): two gateway binaries alternated in one run at 10,000 parked polls "
              "(`bench/ab-fanout`), to measure one change side by side.",
    "httpcore": "HTTP core as its own layer (issue 12): the binary before the split (OLD) and after it (NEW), "
                "alternated in one run: the 10,000-poll fan-out (`REPS=4 bench/ab-fanout`), keep-alive GET requests/s "
                "(`bench/ab-foundation`), and user-space instructions per request counted by callgrind "
                "(`bench/ab-instructions`).",
    "webhooks": "Webhook delivery (issue 13): deliveries/s from one node over HTTP and HTTPS (nginx answering 204, a test CA "
                "made at run time), latency from a fact's answer to the receiver at 1,000 events/s, and the node's RSS with "
                "100,000 undelivered events; the binary before the work alternated with the final one. Command: "
                "`bench/webhooks [--quick]`.",
    "events": "Events (issue 5): facts/s through one node (`wrk` closed loop of `entered` facts, half duplicates, "
              "checked against the stream length), and the attendance batch for 50,000 leads. "
              "Command: `bench/events [THREADS] [SECONDS]`.",
}
for path in sorted(glob.glob(os.path.join(root, "docs", "results", "*.txt"))):
    base = os.path.basename(path)
    kind = base.split("-")[0]
    L.append(f"### {base}")
    L.append("")
    if kind in about:
        L.append(about[kind])
        L.append("")
    L.append("```")
    L.append(open(path).read().rstrip())
    L.append("```")
    L.append("")

os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
with open(out, "w") as f:
    f.write("\n".join(L))

# Console summary: RESULT lines in the style of the other bench scripts.
for n in sizes:
    cell = f"fanout-{n}"
    parts = []
    for t in targets:
        if (cell, t) in runs:
            parts.append(f"{t}: last {fmt(med(cell, t, 'round.last'))} ms, cpu {fmt(med(cell, t, 'round.server_cpu_us_per_response'))} us/resp, "
                         f"mem {fmt(med(cell, t, 'memory.rss_bytes_per_poll'), 0)} B/poll, re-park {fmt(med(cell, t, 'repoll.reparked_ms'))} ms")
    print(f"RESULT fanout n={n}: " + "; ".join(parts))
if ("rate", "gateway") in runs:
    print(f"RESULT rate k={meta.get('rate_k')}: gateway {fmt(med('rate', 'gateway', 'rate.rps'), 0)} req/s, nginx static 304 "
          f"{fmt(med('rate', 'nginx-static', 'rate.rps'), 0)} req/s, ratio {rfmt(r)}")
for row in goals:
    print(f"RESULT goal: {row[0]}: target {row[1]}, measured {row[2]}: {row[3].strip('*')}")

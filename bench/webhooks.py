#!/usr/bin/env python3
"""Helpers of bench/webhooks (issue 13). Standard library only.

  prefill N PREFIX          RESP `XADD wg:events * event_id PREFIX-<i> hook client_webinar_entered payload {...}
                            emitted_at ...` commands on stdout, for `redis-cli --pipe` (the fields the fact
                            scripts write, WebhookEnvelope).
  load HOST PORT RATE SECONDS CONNS PREFIX OUT
                            paced `entered` facts (TOKEN from the environment, a system token): RATE per second
                            in total over CONNS keep-alive connections (one thread each, each on its own
                            schedule, open loop as long as the gateway keeps up), session and lead PREFIX<i>;
                            writes "<lead> <wall-clock seconds of the 200 answer> <status>" per fact to OUT.
  latency ANSWERS REDIS_PORT ACCESS_LOG
                            joins the answers (lead -> answer time), the stream (lead -> event_id, from each
                            entry's payload) and nginx's log ($msec webhook-id) and prints the latency from the
                            fact's answer to the receiver's log line: p50/p90/p99/max, missing and duplicates.
  rate ACCESS_LOG N         the delivery rate from the receiver's own clock: (lines - 1) / (last $msec - first).
"""
import http.client
import json
import socket
import sys
import threading
import time


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def prefill(n, prefix):
    w = sys.stdout.buffer
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    for i in range(n):
        payload = '{"lead_id":"L%s-%d","webinar_id":"bench-wh","timestamp":"%s"}' % (prefix, i, now)
        w.write(resp("XADD", "wg:events", "*", "event_id", "%s-%d" % (prefix, i), "hook", "client_webinar_entered",
                     "payload", payload, "emitted_at", now))
    w.flush()


def load(host, port, rate, seconds, conns, prefix, out):
    token = __import__("os").environ["TOKEN"]
    per = rate / conns
    total = int(rate * seconds)
    results = [[] for _ in range(conns)]
    start = time.monotonic() + 0.2

    def worker(k):
        c = http.client.HTTPConnection(host, port, timeout=10)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        i = k
        j = 0
        while i < total:
            due = start + j / per
            d = due - time.monotonic()
            if d > 0:
                time.sleep(d)
            sid = "%s%d" % (prefix, i)
            body = '{"type":"entered","lead_id":"L%s"}' % sid
            try:
                c.request("POST", "/v1/webinars/bench-wh/sessions/%s/events" % sid, body=body, headers=headers)
                r = c.getresponse()
                r.read()
                status = r.status
            except OSError:
                c.close()
                c = http.client.HTTPConnection(host, port, timeout=10)
                status = 0
            results[k].append(("L" + sid, time.time(), status))
            i += conns
            j += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0 - 0.2
    rows = [r for rs in results for r in rs]
    with open(out, "w") as f:
        for lead, at, status in rows:
            f.write("%s %.6f %d\n" % (lead, at, status))
    ok = sum(1 for r in rows if r[2] == 200)
    print("load: %d facts in %.2f s (%.0f/s asked, %.0f/s achieved), 200=%d other=%d"
          % (len(rows), took, rate, len(rows) / took if took > 0 else 0, ok, len(rows) - ok))


class Redis:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.f = self.s.makefile("rb")

    def call(self, *args):
        self.s.sendall(resp(*args))
        return self.read()

    def read(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if t == b":":
            return int(rest)
        if t == b"-":
            raise RuntimeError(rest.decode())
        return rest


def pct(v, p):
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def latency(answers, redis_port, log):
    answered = {}
    for line in open(answers):
        lead, at, status = line.split()
        if status == "200":
            answered[lead] = float(at)
    r = Redis(redis_port)
    event_of = {}
    start = "-"
    while True:
        batch = r.call("XRANGE", "wg:events", start, "+", "COUNT", 5000)
        if not batch:
            break
        for eid, fields in batch:
            d = dict(zip(fields[0::2], fields[1::2]))
            try:
                lead = json.loads(d[b"payload"]).get("lead_id")
            except (KeyError, ValueError):
                continue
            if d.get(b"hook") == b"client_webinar_entered" and lead in answered:
                event_of[d[b"event_id"].decode()] = lead
        start = "(" + batch[-1][0].decode()
    seen = {}
    dups = 0
    for line in open(log):
        parts = line.split()
        if len(parts) < 2 or parts[1] not in event_of:
            continue
        if parts[1] in seen:
            dups += 1
            continue
        seen[parts[1]] = float(parts[0])
    lat = sorted((seen[e] - answered[event_of[e]]) * 1000.0 for e in seen)
    missing = len(answered) - len(lat)
    print("RESULT latency fact answer -> receiver: n=%d p50=%.1f p90=%.1f p99=%.1f max=%.1f ms, missing=%d duplicates=%d "
          "(events in the stream matched to answers: %d)"
          % (len(lat), pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[-1] if lat else float("nan"), missing, dups, len(event_of)))


def rate(log, n):
    times = []
    ids = set()
    for line in open(log):
        parts = line.split()
        if len(parts) >= 3:
            times.append(float(parts[0]))
            ids.add(parts[1])
    if len(times) < 2:
        print("lines=%d" % len(times))
        return
    span = max(times) - min(times)
    print("lines=%d distinct_ids=%d first_to_last_s=%.3f rate_per_s=%.0f"
          % (len(times), len(ids), span, (len(times) - 1) / span if span > 0 else float("nan")))


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "prefill":
        prefill(int(a[0]), a[1])
    elif cmd == "load":
        load(a[0], int(a[1]), float(a[2]), float(a[3]), int(a[4]), a[5], a[6])
    elif cmd == "latency":
        latency(a[0], int(a[1]), a[2])
    elif cmd == "rate":
        rate(a[0], int(a[1]))
    else:
        sys.exit(__doc__)

#!/usr/bin/env python3
"""Opens N idle keep-alive connections to a loopback server, each after one complete request, and
reports the server's RSS before and after (from /proc/PID/status). Bounded: closes everything and
exits after measuring. Usage: idle_conns.py PID PORT N"""
import socket, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS")

def main():
    pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    req = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    time.sleep(0.5)
    before = rss_kib(pid)
    socks = []
    deadline = time.time() + 120
    for i in range(n):
        if time.time() > deadline:
            raise SystemExit("timed out opening connections")
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((f"127.0.0.{2 + i % 8}", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(req)
        socks.append(s)
    ok = 0
    for s in socks:
        s.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        if data.startswith(b"HTTP/1.1 200"):
            ok += 1
    time.sleep(1.0)
    after = rss_kib(pid)
    print(f"connections={n} answered_200={ok} rss_before_kib={before} rss_after_kib={after} "
          f"per_conn_bytes={(after - before) * 1024 / n:.0f}")
    for s in socks:
        s.close()

if __name__ == "__main__":
    main()

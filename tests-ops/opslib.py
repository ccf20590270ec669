"""Helpers for the ops checks (stdlib only): run ops/cluster, read its state, mint tokens, HTTP, metrics."""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER = os.path.join(ROOT, "ops", "cluster")
STATE = os.environ.get("GATEWAY_CLUSTER_DIR", os.path.join(ROOT, "ops", ".cluster"))
HOST = "127.0.0.1"


def log(*parts):
    print("[%s]" % time.strftime("%H:%M:%S"), *parts, flush=True)


def cluster(*args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    """Runs ops/cluster with args, echoing its output."""
    p = subprocess.run([CLUSTER, *args], capture_output=True, text=True, timeout=timeout)
    out = (p.stdout + p.stderr).rstrip()
    if out:
        print("\n".join("  | " + line for line in out.splitlines()), flush=True)
    if check and p.returncode != 0:
        raise SystemExit(f"ops/cluster {' '.join(args)} failed with status {p.returncode}")
    return p


def cluster_env() -> dict[str, str]:
    """The cluster's settings (ops/cluster env)."""
    p = subprocess.run([CLUSTER, "env"], capture_output=True, text=True, check=True)
    env = {}
    for line in p.stdout.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            env[k] = v.strip("'")
    return env


def recorded_pids(path: str | None = None) -> list[tuple[str, int, str]]:
    """(name, pid, starttime) of every process ops/cluster recorded."""
    path = path or os.path.join(STATE, "pids")
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                out.append((parts[0], int(parts[1]), parts[2]))
    return out


def starttime(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(") ", 1)[1].split()
    if fields[0] == "Z":
        return None
    return fields[19]


def alive(pid: int, st: str) -> bool:
    return starttime(pid) == st


def listening_ports() -> set[int]:
    out = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, check=True).stdout
    ports = set()
    for line in out.splitlines():
        cols = line.split()
        if len(cols) >= 4:
            try:
                ports.add(int(cols[3].rsplit(":", 1)[1]))
            except ValueError:
                pass
    return ports


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(keys: str, role: str, sub: str, ttl: int = 3600, **claims) -> str:
    """An HS256 token signed with the first KID:SECRET of keys (same format as `gateway token`)."""
    kid, secret = keys.split(",")[0].split(":", 1)
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    payload = {"sub": sub, "role": role, "iat": now, "exp": now + ttl, **claims}
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(sig)


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None,
            headers: dict | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
    """One request on a fresh connection; returns (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def metrics(port: int) -> dict[str, float]:
    """A node's /metrics as {sample name with labels: value} (plain samples only)."""
    status, _, body = request(port, "GET", "/metrics", timeout=5)
    if status != 200:
        raise RuntimeError(f"/metrics on {port}: {status}")
    out = {}
    for line in body.decode().splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            pass
    return out


def fail(msg: str):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)

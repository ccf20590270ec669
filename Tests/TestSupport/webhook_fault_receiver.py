#!/usr/bin/env python3
"""A scriptable webhook receiver for the fault and volume integration tests (HTTP or HTTPS).

Usage: webhook_fault_receiver.py LOGFILE CONTROL_FILE [--port N] [--cert PEM --key PEM]

Binds 127.0.0.1 (port 0 unless --port); with --cert/--key it speaks TLS (the handshake runs on the
connection's own thread, so a client that refuses the certificate never blocks the others).

CONTROL_FILE is JSON, re-read whenever it changes (the test rewrites it to change behaviour):
  {"paths": {"/ok": {"secret": "whsec_...", "script": [500, 500, 500], "default": 204}, ...}}
Per path: `secret` (requests are verified with the reference `standardwebhooks` library when it is
installed and a secret is given), `first` (the answers to the path's 1st, 2nd, ... request, whatever
its webhook-id), `script` (the answers to the 1st, 2nd, ... request carrying one webhook-id on that
path, after `first`) and `default` (every later answer; 204 when missing). An answer is a status
number, {"status": N, "retry_after": "2", "delay_ms": M}, or "hang" (read the request, never answer,
wait until the client closes the connection). Unknown paths answer 204.

Appends JSON lines to LOGFILE:
  {"event": "listening", "port": N}
  {"event": "connect", "conn": C}             a connection (after the TLS handshake)
  {"event": "tls_error", "error": "..."}      a handshake that failed (no request was read)
  {"event": "request", "conn": C, "path": P, "id": webhook-id, "verified": true|false|null,
   "error": "...", "type": body type, "answer": status or "hang", "t": unix seconds (float)}
  {"event": "hang_end", "conn": C, "id": webhook-id}   the client closed a connection we never answered
  {"event": "close", "conn": C}               the connection ended
Stopped by its PID.
"""
import itertools
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from standardwebhooks.webhooks import Webhook
except ImportError:  # plain python3: requests are recorded with "verified": null
    Webhook = None

args = sys.argv[1:]
LOG, CONTROL = args[0], args[1]
opts = dict(zip(args[2::2], args[3::2]))
PORT = int(opts.get("--port", "0"))
CERT, KEY = opts.get("--cert"), opts.get("--key")

log_lock = threading.Lock()
log_file = open(LOG, "a", buffering=1)
state_lock = threading.Lock()
control = {"mtime": None, "paths": {}}
counts = {}
conn_ids = itertools.count(1)


def record(entry):
    with log_lock:
        log_file.write(json.dumps(entry) + "\n")
        log_file.flush()


def path_config(path):
    """The control entry of `path` (the file re-read when its mtime changed)."""
    with state_lock:
        try:
            mtime = os.stat(CONTROL).st_mtime_ns
        except OSError:
            mtime = None
        if mtime != control["mtime"]:
            try:
                with open(CONTROL) as f:
                    control["paths"] = json.load(f).get("paths", {})
                control["mtime"] = mtime
            except (OSError, ValueError):
                pass  # half-written: keep the previous one, read again next time
        return control["paths"].get(path, {})


def next_answer(path, cfg, webhook_id):
    first = cfg.get("first", [])
    with state_lock:
        g = counts.get(path, 0)
        counts[path] = g + 1
        n = counts.get((path, webhook_id), 0)
        if g >= len(first):
            counts[(path, webhook_id)] = n + 1
    script = cfg.get("script", [])
    if g < len(first):
        answer = first[g]
    else:
        answer = script[n] if n < len(script) else cfg.get("default", 204)
    if isinstance(answer, int):
        return {"status": answer}
    if answer == "hang":
        return {"hang": True}
    return answer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.conn_id = next(conn_ids)
        record({"event": "connect", "conn": self.conn_id})

    def finish(self):
        try:
            super().finish()
        finally:
            record({"event": "close", "conn": self.conn_id})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        path = self.path.split("?", 1)[0]
        cfg = path_config(path)
        webhook_id = headers.get("webhook-id", "")
        entry = {"event": "request", "conn": self.conn_id, "path": path, "id": webhook_id, "t": time.time(),
                 "verified": None}
        secret = cfg.get("secret")
        if Webhook is not None and secret:
            try:
                payload = Webhook(secret).verify(body, headers)
                entry.update(verified=True, type=payload.get("type"))
            except Exception as e:  # any verification failure is recorded
                entry.update(verified=False, error=str(e))
        if "type" not in entry:
            try:
                entry["type"] = json.loads(body).get("type")
            except (ValueError, AttributeError):
                entry["type"] = None
        answer = next_answer(path, cfg, webhook_id)
        if answer.get("hang"):
            entry["answer"] = "hang"
            record(entry)
            self.hang(webhook_id)
            return
        entry["answer"] = answer["status"]
        record(entry)
        if answer.get("delay_ms"):
            time.sleep(answer["delay_ms"] / 1000.0)
        self.send_response(answer["status"])
        if answer.get("retry_after") is not None:
            self.send_header("Retry-After", str(answer["retry_after"]))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def hang(self, webhook_id):
        """Never answer: wait until the client gives up and closes (EOF or reset)."""
        self.close_connection = True
        try:
            self.connection.settimeout(None)
            while self.connection.recv(4096):
                pass
        except (OSError, ssl.SSLError):
            pass
        record({"event": "hang_end", "conn": self.conn_id, "id": webhook_id})

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def finish_request(self, request, client_address):
        if self.context is None:
            return super().finish_request(request, client_address)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as e:
            record({"event": "tls_error", "error": str(e)})
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        pass  # a client that vanished mid-request; the log already says what was read


server = Server(("127.0.0.1", PORT), Handler)
if CERT and KEY:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    server.context = ctx
record({"event": "listening", "port": server.server_address[1]})
server.serve_forever()

#!/usr/bin/env python3
"""A webhook receiver for the integration tests that checks every request with the reference
Standard Webhooks library (`standardwebhooks`, installed by scripts/webhook-venv).

Usage: webhook_receiver.py LOGFILE SECRET_FILE
The secret (`whsec_...`) is read from SECRET_FILE on every request (the test writes it once the
subscription exists).
Binds 127.0.0.1:0 and appends JSON lines to LOGFILE:
  {"event": "listening", "port": N}
  {"event": "request", "id": webhook-id, "verified": true|false, "error": "...", "type": body type}
Answers 204 when the signature verifies, 400 otherwise. Stopped by its PID.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

LOG, SECRET_FILE = sys.argv[1], sys.argv[2]
lock = threading.Lock()


def record(entry):
    with lock, open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = {"event": "request", "id": headers.get("webhook-id", "")}
        try:
            with open(SECRET_FILE) as f:
                secret = f.read().strip()
            payload = Webhook(secret).verify(body, headers)
            entry.update(verified=True, type=payload.get("type"))
            status = 204
        except Exception as e:  # any verification failure is recorded and answered 400
            entry.update(verified=False, error=str(e))
            status = 400
        record(entry)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
record({"event": "listening", "port": server.server_address[1]})
server.serve_forever()

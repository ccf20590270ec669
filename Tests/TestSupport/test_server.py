#!/usr/bin/env python3
"""HTTP/1.1 test server for HTTPClientIntegrationTests.

Usage: test_server.py BIND_HOST LOGFILE [CERT KEY]
Binds BIND_HOST:0 (TLS when CERT and KEY are given) and appends JSON lines to LOGFILE:
  {"event": "listening", "port": N}
  {"event": "connect", "conn": K}                     one per accepted connection
  {"event": "request", "conn": K, "requestline": ..., "headers": [[name, value], ...], "body": base64}
Answers per path: /204, /200 (a body), /chunked, /slow (sleeps SLOW_SECONDS first), /close (answers with
Connection: close), /close-idle (answers keep-alive, then closes the idle connection shortly after),
/500, /410; anything else 404. Stopped by its PID.
"""
import base64
import itertools
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 3.0
IDLE_CLOSE_SECONDS = 0.2
LOG = sys.argv[2]
lock = threading.Lock()
connection_ids = itertools.count(1)


def record(entry):
    with lock, open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.conn_id = next(connection_ids)
        record({"event": "connect", "conn": self.conn_id})

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", extra=()):
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 204:
            self.wfile.write(body)
        self.wfile.flush()

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record({"event": "request", "conn": self.conn_id,
                "requestline": self.raw_requestline.decode("latin-1"),
                "headers": [[k, v] for k, v in self.headers.items()],
                "body": base64.b64encode(body).decode()})
        path = self.path.split("?")[0]
        if path == "/204":
            self.answer(204)
        elif path == "/200":
            self.answer(200, b"hello from the test server", [("Content-Type", "text/plain")])
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first chunk, ", b"second chunk"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.answer(200, b"late")
        elif path == "/close":
            self.answer(200, b"bye", [("Connection", "close")])
            self.close_connection = True
        elif path == "/close-idle":
            self.answer(200, b"closing soon")
            conn = self.connection
            threading.Timer(IDLE_CLOSE_SECONDS, lambda: conn.shutdown(socket.SHUT_RDWR)).start()
        elif path == "/500":
            self.answer(500, b"internal error")
        elif path == "/410":
            self.answer(410, b"gone")
        else:
            self.answer(404, b"no such path")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    server = ThreadingHTTPServer((sys.argv[1], 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) >= 5:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    record({"event": "listening", "port": server.server_address[1]})
    server.serve_forever()


main()

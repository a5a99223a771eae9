#!/usr/bin/env python3
"""Alertmanager webhook receiver for the end-to-end test.

usage: webhook.py --listen 127.0.0.1:PORT --out alerts.jsonl

Every POST body (Alertmanager webhook payload, version 4) is split into its alerts; each
alert is appended to --out as one JSON line: {"received_at", "receiver", "group_status",
"status", "labels", "annotations", "startsAt", "endsAt"}. GET / answers 200 (readiness).
Standard library only.
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def make_handler(out_path):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self._reply(200, b"ok\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            try:
                payload = json.loads(body)
            except ValueError:
                self._reply(400, b"bad json\n")
                return
            lines = []
            for a in payload.get("alerts", []):
                lines.append(json.dumps({
                    "received_at": time.time(),
                    "receiver": payload.get("receiver"),
                    "group_status": payload.get("status"),
                    "status": a.get("status"),
                    "labels": a.get("labels", {}),
                    "annotations": a.get("annotations", {}),
                    "startsAt": a.get("startsAt"),
                    "endsAt": a.get("endsAt"),
                }, sort_keys=True))
            with LOCK, open(out_path, "a", encoding="utf-8") as f:
                for line in lines:
                    f.write(line + "\n")
            self._reply(200, b"ok\n")

        def _reply(self, code, body):
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            sys.stderr.write("webhook: " + (fmt % args) + "\n")

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, help="host:port")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    open(args.out, "a").close()
    server = ThreadingHTTPServer((host, int(port)), make_handler(args.out))
    print(f"webhook listening on {host}:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

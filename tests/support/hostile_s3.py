#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A deliberately hostile S3 server for pgopipe's robustness tests and bench/hostile
(python3 stdlib only; it checks no signatures).

Usage: hostile_s3.py MODE [BUCKET]
Listens on a free loopback port, printed as the first line on stdout ("port N"), and serves
one bucket (default pgopipe-test) until stdin closes or it is killed. PUT stores an object
with its x-amz-meta-* headers (no conditions checked), GET and HEAD return it, DELETE removes
it. ListObjectsV2 answers according to MODE:

  honest        a correct listing (pages of max-keys, continuation tokens that advance)
  repeat-token  every page is empty, truncated, and carries the same NextContinuationToken
  fresh-tokens  every page is truncated with a new token and the same keys, forever
  empty-pages   every page is empty and truncated with a new token, forever
  stray-keys    the honest listing plus a key outside the requested prefix and a key with '..'
  huge-listing  a page of 64 MiB (valid XML padded with whitespace)

Each answer to a listing increments a counter; GET /__stats returns {"list_requests": N}.
For scraper tests, GET /__redirect?to=URL answers 302 with Location URL, and GET /__profile
serves the file named by the environment variable HOSTILE_PROFILE.
"""
import http.server
import json
import os
import sys
import threading
import urllib.parse
from xml.sax.saxutils import escape

MODE = sys.argv[1] if len(sys.argv) > 1 else "honest"
BUCKET = sys.argv[2] if len(sys.argv) > 2 else "pgopipe-test"
OBJECTS = {}  # key -> (headers dict, body bytes)
LOCK = threading.Lock()
STATS = {"list_requests": 0}


def list_page(prefix, max_keys, token):
    with LOCK:
        keys = sorted(k for k in OBJECTS if k.startswith(prefix))
    start = int(token) if token.isdigit() else 0
    if MODE in ("repeat-token", "empty-pages"):
        return [], "same-token" if MODE == "repeat-token" else f"t{STATS['list_requests']}"
    if MODE == "fresh-tokens":
        return keys[:max_keys] or [prefix + "x/ghost.pb.gz"], f"t{STATS['list_requests']}"
    page = keys[start:start + max_keys]
    truncated = start + max_keys < len(keys)
    if MODE == "stray-keys" and not truncated:
        page = sorted(page + ["elsewhere/stray.pb.gz", prefix + "../escape.pb.gz"])
    return page, str(start + max_keys) if truncated else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None, head_only=False):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def target(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path).lstrip("/")
        bucket, _, key = path.partition("/")
        return bucket, key, urllib.parse.parse_qs(url.query)

    def do_GET(self):
        bucket, key, query = self.target()
        if bucket == "__stats":
            return self.reply(200, json.dumps(STATS).encode())
        if bucket == "__redirect":
            return self.reply(302, b"moved", {"Location": query.get("to", ["/"])[0]})
        if bucket == "__profile":
            with open(os.environ["HOSTILE_PROFILE"], "rb") as f:
                return self.reply(200, f.read(), {"Content-Type": "application/octet-stream"})
        if key:
            return self.send_object(key, head_only=False)
        with LOCK:
            STATS["list_requests"] += 1
        prefix = query.get("prefix", [""])[0]
        max_keys = int(query.get("max-keys", ["1000"])[0])
        token = query.get("continuation-token", [""])[0]
        if MODE == "huge-listing":
            return self.send_huge(prefix)
        keys, next_token = list_page(prefix, max_keys, token)
        items = "".join(f"<Contents><Key>{escape(k)}</Key><Size>1</Size></Contents>" for k in keys)
        more = (f"<IsTruncated>true</IsTruncated><NextContinuationToken>{escape(next_token)}"
                f"</NextContinuationToken>") if next_token else "<IsTruncated>false</IsTruncated>"
        body = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>{BUCKET}</Name>'
                f"<Prefix>{escape(prefix)}</Prefix><KeyCount>{len(keys)}</KeyCount>{more}{items}"
                f"</ListBucketResult>").encode()
        self.reply(200, body, {"Content-Type": "application/xml"})

    def send_huge(self, prefix):
        head = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>{BUCKET}</Name>'
                f"<Prefix>{escape(prefix)}</Prefix><IsTruncated>false</IsTruncated>").encode()
        tail = b"</ListBucketResult>"
        pad = 64 << 20
        self.send_response(200)
        self.send_header("Content-Length", str(len(head) + pad + len(tail)))
        self.end_headers()
        try:
            self.wfile.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(pad >> 20):
                self.wfile.write(chunk)
            self.wfile.write(tail)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_object(self, key, head_only):
        with LOCK:
            found = OBJECTS.get(key)
        if found is None:
            body = b"<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>"
            return self.reply(404, body, head_only=head_only)
        headers, body = found
        self.reply(200, body, headers, head_only=head_only)

    def do_HEAD(self):
        _, key, _ = self.target()
        self.send_object(key, head_only=True)

    def do_PUT(self):
        _, key, _ = self.target()
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        meta = {k: v for k, v in self.headers.items() if k.lower().startswith("x-amz-meta-")}
        with LOCK:
            OBJECTS[key] = (meta, body)
        self.reply(200)

    def do_DELETE(self):
        _, key, _ = self.target()
        with LOCK:
            OBJECTS.pop(key, None)
        self.reply(204)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"port {server.server_address[1]}", flush=True)
    sys.stdin.read()  # runs until stdin closes
    server.shutdown()


if __name__ == "__main__":
    main()

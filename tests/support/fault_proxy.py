# SPDX-License-Identifier: Apache-2.0
"""A scriptable fault-injecting HTTP proxy for pgopipe's store tests (python3 stdlib only).

Usage: fault_proxy.py TARGET_PORT
Listens on a free loopback port (printed as the first line on stdout) and relays every HTTP
request to 127.0.0.1:TARGET_PORT (one upstream connection per request; the client side
keeps its connection alive: the server's "Connection: close" is not relayed). Runs until stdin closes. Control lines on stdin, each answered
by exactly one line on stdout:

  rules [JSON list]   replace the fault rules (and zero their counters)   -> "ok"
  stats               -> {"requests": N, "faults": N, "connections": N, "by_rule": [N, ...]}
                         (connections: client connections accepted)

A rule is a JSON object; the first rule that matches a request and still has a count left
applies to it:
  "method": "GET"          only this method (default: any)
  "path": "/web/"          only request targets containing this text (default: any)
  "count": K               apply to the first K matching requests (default -1: all)
  "skip": N                let the first N matching requests through unharmed (default 0)
  "fault": one of
    "status"    answer "status" (default 503) with an S3 error body, never reaching the server
    "reset"     "direction": "response" (default): relay the server's response but reset the
                connection (RST) after the first bytes of it (see "after"); "direction":
                "request": forward the head and the first "after" bytes of the request body
                to the server, then reset both connections
    "truncate"  send the first bytes of the response (Content-Length unchanged), then close
                the connection cleanly (FIN)
    "stall"     send the first bytes of the response, then nothing for "seconds" (default
                3600) before closing
    "drip"      send the whole response one byte every "ms" milliseconds (default 100)
    "delay"     relay the request and its response unharmed, "ms" milliseconds (default 20)
                after the request arrived: the round trip of a distant store
  "after": N               how many response bytes (head included) get through (default 0:
                           none, the response is lost after the server acted on the request)
  "after_head": N          instead: the whole response head and N bytes of the body
"""
import json
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()
RULES = []      # list of dicts, each with a "left" counter
STATS = {"requests": 0, "faults": 0, "connections": 0}


def error_body(status):
    code = {503: "SlowDown", 500: "InternalError"}.get(status, "InternalError")
    return (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>injected by fault_proxy</Message></Error>").encode()


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Reader:
    """Buffered reads of HTTP framing from a socket."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def head(self):
        while b"\r\n\r\n" not in self.buf:
            self.fill()
        end = self.buf.index(b"\r\n\r\n") + 4
        raw, self.buf = self.buf[:end], self.buf[end:]
        lines = raw.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        return raw, lines[0], headers

    def exactly(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def chunked(self):
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self.fill()
            line_end = self.buf.index(b"\r\n") + 2
            line, self.buf = self.buf[:line_end], self.buf[line_end:]
            size = int(line.split(b";")[0], 16)
            out += line + self.exactly(size + 2)
            if size == 0:
                return out  # no trailers from the servers we test against


def pick_rule(method, target):
    with LOCK:
        STATS["requests"] += 1
        for rule in RULES:
            if rule.get("method") and rule["method"] != method:
                continue
            if rule.get("path") and rule["path"] not in target:
                continue
            if rule["left"] == 0:
                continue
            if rule.get("skip", 0) > 0:
                rule["skip"] -= 1
                return None
            if rule["left"] > 0:
                rule["left"] -= 1
            rule["hits"] += 1
            STATS["faults"] += 1
            return dict(rule)
    return None


def upstream_exchange(port, head, body, method):
    """Sends one request to the server; returns (raw response head, status, raw body)."""
    server = socket.create_connection(("127.0.0.1", port))
    try:
        server.sendall(head + body)
        reader = Reader(server)
        while True:
            raw, status_line, headers = reader.head()
            status = int(status_line.split()[1])
            if status >= 200:
                break  # skip "100 Continue"
        if method == "HEAD" or status in (204, 304):
            payload = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            payload = reader.chunked()
        elif "content-length" in headers:
            payload = reader.exactly(int(headers["content-length"]))
        else:
            payload = reader.buf
            try:
                while True:
                    reader.fill()
                    payload = reader.buf
            except EOFError:
                pass
        return keep_alive(raw), headers, payload
    finally:
        server.close()


def keep_alive(raw_head):
    """The server's response head without its "Connection: close" (moto's web server closes
    every connection): the proxy keeps the client's connection open, as a real store does."""
    lines = raw_head.split(b"\r\n")
    return b"\r\n".join(l for l in lines if not l.lower().startswith(b"connection:"))


def serve_client(client, port):
    reader = Reader(client)
    try:
        while True:
            head, request_line, headers = reader.head()
            method, target = request_line.split()[0], request_line.split()[1]
            length = int(headers.get("content-length", "0"))
            rule = pick_rule(method, target)
            fault = rule["fault"] if rule else None
            if fault == "reset" and rule.get("direction") == "request":
                if headers.get("expect", "").lower() == "100-continue":
                    client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                partial = reader.exactly(min(rule.get("after", 0), length))
                server = socket.create_connection(("127.0.0.1", port))
                server.sendall(head + partial)
                time.sleep(0.05)
                reset(server)
                reset(client)
                return
            if headers.get("expect", "").lower() == "100-continue" and fault != "status":
                client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if fault == "status":
                # Without "Expect: 100-continue" the body is read first, so the client sees the
                # answer instead of a reset; with it, the answer replaces "100 Continue".
                if headers.get("expect", "").lower() != "100-continue":
                    reader.exactly(length)
                status = rule.get("status", 503)
                body = error_body(status)
                client.sendall(b"HTTP/1.1 %d Injected\r\nContent-Type: application/xml\r\n"
                               b"Connection: close\r\nContent-Length: %d\r\n\r\n"
                               % (status, len(body)) + body)
                client.close()
                return
            body = reader.exactly(length)
            if fault == "delay":
                time.sleep(rule.get("ms", 20) / 1000.0)
            raw, _, payload = upstream_exchange(port, head, body, method)
            response = raw + payload
            if rule and "after_head" in rule:
                cut = len(raw) + rule["after_head"]
            else:
                cut = rule.get("after", 0) if rule else 0
            if fault == "reset":
                client.sendall(response[:cut])
                reset(client)
                return
            if fault == "truncate":
                client.sendall(response[:cut])
                client.shutdown(socket.SHUT_RDWR)
                client.close()
                return
            if fault == "stall":
                client.sendall(response[:cut])
                time.sleep(rule.get("seconds", 3600))
                reset(client)
                return
            if fault == "drip":
                delay = rule.get("ms", 100) / 1000.0
                for byte in response:
                    client.sendall(bytes([byte]))
                    time.sleep(delay)
                continue
            client.sendall(response)
    except (EOFError, OSError, ValueError, IndexError):
        pass
    try:
        client.close()
    except OSError:
        pass


def main():
    port = int(sys.argv[1])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    print(listener.getsockname()[1], flush=True)

    def accept():
        while True:
            client, _ = listener.accept()
            with LOCK:
                STATS["connections"] += 1
            threading.Thread(target=serve_client, args=(client, port), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "rules":
            rules = json.loads(arg or "[]")
            with LOCK:
                RULES[:] = [dict(r, left=r.get("count", -1), hits=0) for r in rules]
                STATS.update(requests=0, faults=0, connections=0)
            print("ok", flush=True)
        elif command == "stats":
            with LOCK:
                print(json.dumps(dict(STATS, by_rule=[r["hits"] for r in RULES])), flush=True)
        else:
            print(f"error: unknown command {command!r}", flush=True)


if __name__ == "__main__":
    main()

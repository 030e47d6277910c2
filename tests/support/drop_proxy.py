# SPDX-License-Identifier: Apache-2.0
"""A TCP proxy that cuts connections in the middle of large responses (fault tests).

Usage: drop_proxy.py TARGET_PORT LIMIT_BYTES [FAIL_FIRST]
Listens on a free loopback port (printed as one line on stdout), forwards every connection
to 127.0.0.1:TARGET_PORT, and resets a connection once LIMIT_BYTES in total have flowed
from the server to the client on it: small exchanges (listings, HEADs) pass, a body larger
than the limit is cut in the middle (LIMIT_BYTES 0: no limit). The first FAIL_FIRST
connections get "503 SlowDown" instead of being forwarded. Runs until stdin closes.
"""
import socket
import struct
import sys
import threading


def pipe(src, dst, limit):
    sent = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if limit and sent + len(data) > limit:
                dst.sendall(data[: max(limit - sent, 0)])
                raise ConnectionAbortedError
            dst.sendall(data)
            sent += len(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.shutdown(socket.SHUT_RDWR)  # also wakes the other direction's blocked recv()
        except OSError:
            pass
        s.close()


SLOW_DOWN = (b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code>"
             b"<Message>Please reduce your request rate.</Message></Error>")


def slow_down(client):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            break
        data += chunk
    client.sendall(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                   b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(SLOW_DOWN) + SLOW_DOWN)
    client.close()


def main():
    target, limit = int(sys.argv[1]), int(sys.argv[2])
    fail_first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(listener.getsockname()[1], flush=True)

    def accept():
        while True:
            client, _ = listener.accept()
            nonlocal fail_first
            if fail_first > 0:
                fail_first -= 1
                threading.Thread(target=slow_down, args=(client,), daemon=True).start()
                continue
            server = socket.create_connection(("127.0.0.1", target))
            threading.Thread(target=pipe, args=(client, server, 0), daemon=True).start()
            threading.Thread(target=pipe, args=(server, client, limit), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()

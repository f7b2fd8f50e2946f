#!/usr/bin/env python3
"""A minimal SMTP server for the start smoke test: listens on a free loopback port, prints the port on
its first line of standard output, and appends every message it accepts (its DATA) to the file given as
the only argument. One client at a time, no authentication, no TLS; it stops when killed."""
import socket
import sys

out = sys.argv[1]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen()
print(server.getsockname()[1], flush=True)

while True:
    conn, _ = server.accept()
    with conn, conn.makefile("rb") as lines:
        def reply(text):
            conn.sendall((text + "\r\n").encode())
        reply("220 smtp-sink ready")
        for line in lines:
            command = line.decode("utf-8", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                reply("250 smtp-sink")
            elif command == "DATA":
                reply("354 end with <CRLF>.<CRLF>")
                data = []
                for body in lines:
                    if body.rstrip(b"\r\n") == b".":
                        break
                    if body.startswith(b".."):
                        body = body[1:]
                    data.append(body.decode("utf-8", "replace"))
                with open(out, "a") as f:
                    f.write("".join(data) + "\n.\n")
                reply("250 accepted")
            elif command == "QUIT":
                reply("221 bye")
                break
            else:
                reply("250 ok")

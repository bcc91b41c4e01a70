#!/usr/bin/env python3
"""A tiny HTTPS x5u server for it_check_stir_fetch: serves the chain file at
/chain.pem (Cache-Control: max-age=600), an oversized body at /big.pem
(with Content-Length) and /stream.pem (without: it ends when the connection
closes), and never answers /slow.pem. Usage: stir_x5u_server.py PORT CERT KEY CHAIN.
Prints "ready" once it listens."""
import http.server
import ssl
import sys
import threading
import time

port, cert, key, chain_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
chain = open(chain_path, "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("x5u-server: " + (fmt % args) + "\n")

    def do_GET(self):
        if self.path == "/chain.pem":
            body = chain
        elif self.path == "/big.pem":
            body = b"A" * (200 * 1024)
        elif self.path == "/stream.pem":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"B" * 1024)
            except OSError:
                pass  # the client gave up at its cap
            return
        elif self.path == "/slow.pem":
            time.sleep(30)  # never answers within the test's timeout
            return
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-pem-file")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()

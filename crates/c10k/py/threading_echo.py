# The course's socketserver.ThreadingTCPServer: one thread per connection.
# Echoes frames in the course format: struct.pack('i', len) + body.
# Usage: python3 threading_echo.py HOST PORT  (PORT 0: any free port)
import socketserver
import struct
import sys


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            self.echo()
        except ConnectionError:  # the client reset the connection: it is gone
            pass

    def echo(self):
        f = self.request.makefile("rb")
        while True:
            head = f.read(4)  # BufferedReader.read(n) loops until n bytes or EOF
            if len(head) < 4:
                return
            (n,) = struct.unpack("i", head)
            if n < 0 or n > 65536:
                return
            body = f.read(n)
            if len(body) < n:
                return
            self.request.sendall(head + body)  # one send: no Nagle stall


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 4096  # the listen() backlog; the default is 5


with Server((sys.argv[1], int(sys.argv[2])), Echo) as srv:
    host, port = srv.server_address
    print(f"listening on {host}:{port} (model py-threading)", flush=True)
    srv.serve_forever()

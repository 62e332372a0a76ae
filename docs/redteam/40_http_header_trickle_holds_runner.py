# ruff: noqa
"""red10/40: red9/33's fix reads the *body* in chunks with the run's deadline checked between
reads, but the status line and headers are read inside `_OPENER.open(req, timeout=...)`, where
the timeout bounds each socket read only. An allow-listed server that trickles its headers
(a byte every 0.3 s, under the socket timeout) keeps the request -- and the runner thread --
going long past the run's time limit: the caller is answered at the deadline (the guest is in
a host call), but the thread stays held, counted as stuck; 32 such runs and the sandbox fails
every run at once with `limit` (the same exhaustion red9/29 addressed for tools)."""
import http.server, socketserver, threading, time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.network import NetworkPolicy

done = []

class Trickle(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.recv(65536)
        head = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 20 + b"\r\n" + b"Content-Length: 2\r\n\r\nok"
        t = time.monotonic()
        try:
            for b in head:
                self.request.sendall(bytes([b]))
                time.sleep(0.1)
        except OSError:
            pass
        done.append(time.monotonic() - t)

srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Trickle)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{srv.server_address[1]}"
prog = f"r = http_get('{url}/data')\nprint(r['status'])\n"
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), network=NetworkPolicy(allowed_domains=[url]))
t = time.time()
r = sb.run_sync(prog)
print(f"time limit 1.0 s; caller answered after {time.time() - t:.2f} s: ok={r.ok} error={r.error and r.error.message}")
print("stuck runner threads right after:", sb._stuck)
while not done and time.time() - t < 30:
    time.sleep(0.1)
print(f"the server was still sending headers to the host for {done[0]:.1f} s; stuck now: {sb._stuck}")
sb.close()
srv.shutdown()

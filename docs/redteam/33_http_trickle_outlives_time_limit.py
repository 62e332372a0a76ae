# ruff: noqa
"""red9/33: the host's HTTP helper bounds each socket operation by the time left, not the
request as a whole: an allow-listed server whose body trickles in (a byte every 0.45 s, each
read under the socket timeout) keeps the request going long past the run's time limit. A
program that names no tool runs inline on a `run_sync` caller's thread: the caller is held for
the whole download and the run is reported `ok`, no timeout."""
import http.server, threading, time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.network import NetworkPolicy

class Trickle(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"12345678"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for b in body:  # a slow link, or a server that streams
            time.sleep(0.45)
            self.wfile.write(bytes([b]))
            self.wfile.flush()
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{srv.server_address[1]}"
prog = f"r = http_get('{url}/data')\nprint(len(r['text']), 'bytes')\n"
with Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), network=NetworkPolicy(allowed_domains=[url])) as sb:
    t = time.time()
    r = sb.run_sync(prog)
    print(f"time limit 1.0 s; run_sync returned after {time.time() - t:.2f} s: ok={r.ok} error={r.error} stdout={r.stdout!r} inline={r.timings.get('inline')}")
srv.shutdown()

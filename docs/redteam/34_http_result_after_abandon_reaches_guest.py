# ruff: noqa
"""red9/34: red7/21's fix covers tool calls only. When the caller gives up on a run whose guest
is inside an HTTP request (an allow-listed server answering slowly), the response that comes
back later is still handed to the guest (`RunBridge.http_request` never checks `abandoned`): the
program goes on and writes /output files after the caller was told it timed out."""
import http.server, os, tempfile, threading, time
from pathlib import Path
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.network import NetworkPolicy
from codeact_verify.tools import tool_specs

returned = threading.Event()

class Slow(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"x" * 40
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        for i, b in enumerate(body):  # a byte every 0.2 s until the caller has its result
            if not returned.is_set():
                time.sleep(0.2)
            self.wfile.write(bytes([b]))
            self.wfile.flush()
    def log_message(self, *a):
        pass

def get(city: str) -> str:
    """Any sync tool: the run then runs on a runner thread (not inline)."""
    return city

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
threading.Thread(target=srv.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{srv.server_address[1]}"
out = Path(tempfile.mkdtemp())
prog = (
    "if len('x') == 2:\n    get(city='a')\n"
    f"r = http_get('{url}/x')\n"
    "write_text('/output/leak.txt', r['text'])\n"
)
with Sandbox(pool_size=0, limits=Limits(timeout_s=0.5), output_dir=out,
             network=NetworkPolicy(allowed_domains=[url])) as sb:
    t = time.time()
    r = sb.run_sync(prog, tool_specs([get]))
    returned.set()
    print(f"run returned after {time.time() - t:.2f} s:", r.error.kind, "-", r.error.message)
    print("artifacts:", [a.path for a in r.artifacts], " files now:", os.listdir(out))
    time.sleep(0.8)
    print("files 0.8 s later:", os.listdir(out))
srv.shutdown()

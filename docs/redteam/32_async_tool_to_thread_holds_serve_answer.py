# ruff: noqa
"""red9/32, the serve face: POST /execute runs `asyncio.run(codeact.execute(...))` on a worker
thread; the run ends at its deadline, but asyncio.run() then joins the to_thread thread of the
async tool, so the HTTP answer waits for the network call (forever if it never returns), and
the worker (one of max_concurrent) is held."""
import asyncio, json, threading, time, urllib.request
from codeact_verify import CodeAct
from codeact_verify.host.limits import Limits
from codeact_verify.adapters.serve import create_app, BackgroundServer
gate = threading.Event()
def blocking_fetch(url):
    gate.wait(15)
    return url
async def fetch(url: str) -> str:
    """Fetches a URL."""
    return await asyncio.to_thread(blocking_fetch, url)
ca = CodeAct(tools=[fetch], approval_mode="never_require", limits=Limits(timeout_s=0.5))
ca.warm_up()
with BackgroundServer(create_app(ca)) as srv:
    def post(code):
        req = urllib.request.Request(srv.url + "/execute", data=json.dumps({"code": code}).encode(), headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req, timeout=30).read())
    t = time.time()
    r = post("print(fetch(url='x'))\n")
    print(f"/execute answered after {time.time()-t:.2f} s (limit 0.5 s):", r["error"])
    gate.set()
